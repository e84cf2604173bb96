/** Every command takes --help (exit 0); a usage mistake exits 2, as the README says; other failures exit 1. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/cli-main';

afterEach(() => vi.restoreAllMocks());

function quiet(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((m: unknown) => void out.push(String(m)));
  vi.spyOn(console, 'error').mockImplementation((m: unknown) => void err.push(String(m)));
  return { out, err };
}

describe('onirique exit codes', () => {
  it.each(['classify', 'dream', 'dream-zoom', 'gradcam', 'models', 'filter', 'kernels', 'train', 'network'])('%s --help prints its usage and exits 0', async (cmd) => {
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
    ['dream', '--pattern-size', 'big', 'a.png', 'b.png'],
    ['dream-zoom', 'only-one.png'],
    ['dream-zoom', '--frames', 'many', 'a.png', 'b.webp'],
    ['dream-zoom', '--zoom', '0.5', 'a.png', 'b.webp'],
    ['dream-zoom', '--no-such-flag', 'a.png', 'b.webp'],
    ['classify', '--top'],
    ['train'],
    ['train', '--data', 'photos'],
    ['train', '--data', 'photos', '--out', 'm', '--epochs', 'many'],
    ['network', 'extra-positional'],
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
