/** Every command takes --help (exit 0); a usage mistake exits 2, as the README says; other failures exit 1. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../electron/cli/cli-main';

afterEach(() => vi.restoreAllMocks());

function quiet(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((m: unknown) => void out.push(String(m)));
  vi.spyOn(console, 'error').mockImplementation((m: unknown) => void err.push(String(m)));
  return { out, err };
}

describe('onirique exit codes', () => {
  it.each(['classify', 'dream', 'gradcam', 'models', 'filter', 'kernels'])('%s --help prints its usage and exits 0', async (cmd) => {
    const { out } = quiet();
    expect(await main([cmd, '--help'])).toBe(0);
    expect(out.join('\n')).toMatch(/usage/i);
  });

  it.each([
    ['classify'],
    ['dream', 'only-one.png'],
    ['gradcam', 'a.png'],
    ['models', 'frobnicate'],
    ['dream', '--no-such-flag', 'a.png', 'b.png'],
    ['classify', '--top'],
  ])('a usage mistake exits 2: %s', async (...argv: string[]) => {
    const { err } = quiet();
    expect(await main(argv)).toBe(2);
    expect(err.join('\n')).toMatch(new RegExp(`onirique ${argv[0]}:`));
  });

  it('a failure that is not the command line\'s exits 1 (no model here, or no file)', async () => {
    const { err } = quiet();
    expect(await main(['classify', '/nonexistent/photo.png'])).toBe(1);
    expect(err.join('\n')).toMatch(/^onirique classify: /);
  });
});
