/** `onirique dream --settings-from`: a dream export re-applied gives the same pixels; a guided one needs its guide. */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { dreamCommand } from '../../src/dream/dream-command';
import { readImageParameters } from '../../src/services/encode';
import { modelDir, photo, useWasm } from './dream-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'settings-from-dream-'));
const pixels = (path: string): Promise<Buffer> => sharp(path).ensureAlpha().raw().toBuffer();

async function writePhoto(name: string, file: string, w: number, h: number): Promise<string> {
  const img = await photo(name, w, h);
  const path = join(dir, file);
  await sharp(Buffer.from(img.data), { raw: { width: w, height: h, channels: 4 } }).png().toFile(path);
  return path;
}

/** A rejection's message, which must be one line. */
async function oneLineError(run: Promise<unknown>): Promise<string> {
  const e: unknown = await run.then(
    () => new Error('did not fail'),
    (err: unknown) => err,
  );
  const message = e instanceof Error ? e.message : String(e);
  expect(message).not.toContain('\n');
  return message;
}

const quick = ['--steps', '2', '--octaves', '1', '--tile', '64', '--overlap', '16', '--model', modelDir, '--quiet'];

beforeAll(async () => {
  await useWasm();
});

describe('onirique dream --settings-from', () => {
  it('re-applies the exported dream (seed, steps, layer, pattern size): the same pixels; typed flags win', async () => {
    const input = await writePhoto('chelsea.png', 'in.png', 64, 48);
    const first = join(dir, 'first.png');
    expect(await dreamCommand([...quick, '--seed', '7', '--step-size', '0.08', '--jitter', '8', '--pattern-size', '1', '--layer', 'conv_pw_5_relu', input, first])).toBe(0);
    const again = join(dir, 'again.png');
    expect(await dreamCommand(['--settings-from', first, '--model', modelDir, '--quiet', input, again])).toBe(0);
    expect((await pixels(again)).equals(await pixels(first))).toBe(true);
    const stored = await readImageParameters(await readFile(again));
    expect(stored?.['onirique:dream-options']).toBe((await readImageParameters(await readFile(first)))?.['onirique:dream-options']);
    // A typed flag wins over the restored one, and really changes the dream.
    const other = join(dir, 'other-seed.png');
    expect(await dreamCommand(['--settings-from', first, '--seed', '8', '--model', modelDir, '--quiet', input, other])).toBe(0);
    const o = JSON.parse((await readImageParameters(await readFile(other)))!['onirique:dream-options']!) as { seed: number; steps: number; layers: { name: string }[] };
    expect([o.seed, o.steps, o.layers[0]!.name]).toEqual([8, 2, 'conv_pw_5_relu']);
    expect((await pixels(other)).equals(await pixels(first))).toBe(false);
  });

  it('a guided export needs --guide with the same SHA-256, else one line', async () => {
    const input = await writePhoto('chelsea.png', 'g-in.png', 64, 48);
    const guide = await writePhoto('coffee.png', 'guide.png', 32, 32);
    const wrong = await writePhoto('astronaut.png', 'wrong.png', 32, 32);
    const first = join(dir, 'guided.png');
    expect(await dreamCommand([...quick, '--seed', '3', '--guide', guide, input, first])).toBe(0);
    const out = join(dir, 'guided-again.png');
    expect(await oneLineError(dreamCommand(['--settings-from', first, '--model', modelDir, '--quiet', input, out]))).toMatch(new RegExp(`^${first}: was a guided dream; give its guide with --guide`));
    expect(await oneLineError(dreamCommand(['--settings-from', first, '--guide', wrong, '--model', modelDir, '--quiet', input, out]))).toMatch(/was guided by another image/);
    expect(await dreamCommand(['--settings-from', first, '--guide', guide, '--model', modelDir, '--quiet', input, out])).toBe(0);
    expect((await pixels(out)).equals(await pixels(first))).toBe(true);
  });

  it('refuses a file without Onirique parameters with one line naming it', async () => {
    const input = await writePhoto('chelsea.png', 'plain.png', 16, 16);
    const message = await oneLineError(dreamCommand(['--settings-from', input, '--model', modelDir, '--quiet', input, join(dir, 'x.png')]));
    expect(message).toBe(`${input}: carries no Onirique settings (not exported by Onirique, or its metadata was stripped)`);
  });
});
