/** `onirique filter` and `onirique kernels` on real files: the article case against scipy, kernel files, errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { filterCommand } from '../../src/filter/filter-command';
import { kernelsCommand } from '../../src/filter/kernels-command';
import type { RgbaImage } from '../../src/core/image';
import { maxLevelDiff, photosDir, reference, useWasm } from './filter-fixtures';

let dir: string;
const coffee = resolve(photosDir, 'coffee.png');

async function readOut(path: string): Promise<RgbaImage> {
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

/** Runs a command with console output captured. */
async function run(cmd: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    return { code: await cmd(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

beforeAll(async () => {
  await useWasm();
  dir = mkdtempSync(join(tmpdir(), 'onirique-filter-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('onirique filter', () => {
  it("the article case: coffee.png matches |scipy convolve2d(L, k, 'same')| scaled by its max (≤ 1 level)", async () => {
    const out = join(dir, 'article.png');
    expect((await run(filterCommand, ['--kernel', 'edges-horizontal', coffee, out])).code).toBe(0);
    const img = await readOut(out);
    const ref = reference([{ id: 'article', photo: coffee, channels: 'luma', kernels: [[[-1, -1, -1], [0, 0, 0], [1, 1, 1]]], fn: 'signal.convolve2d', boundary: 'fill', size: 'same', map: 'abs-max' }]).get('article')!;
    expect([img.height, img.width]).toEqual(ref.shape.slice(0, 2));
    expect(maxLevelDiff(img, ref)).toBeLessThanOrEqual(1);
  });

  it('a kernel file gives the same pixels as the preset it copies; options reach the engine', async () => {
    const kfile = join(dir, 'sobel.json');
    writeFileSync(kfile, JSON.stringify({ name: 'my-sobel', matrix: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] }));
    const common = ['--channels', 'rgb', '--border', 'reflect', '--output', 'offset', '--stride', '2'];
    const a = join(dir, 'a.png');
    const b = join(dir, 'b.png');
    expect((await run(filterCommand, ['--kernel-file', kfile, ...common, coffee, a])).code).toBe(0);
    expect((await run(filterCommand, ['--kernel', 'sobel-x', ...common, coffee, b])).code).toBe(0);
    const [ia, ib] = [await readOut(a), await readOut(b)];
    expect([ia.width, ia.height]).toEqual([300, 200]);
    expect(Buffer.from(ia.data).equals(Buffer.from(ib.data))).toBe(true);
    const g = join(dir, 'g.png');
    expect((await run(filterCommand, ['--kernel', 'gaussian', '--param', 'sigma=1.5', '--mode', 'valid', '--dilation', '2', coffee, g])).code).toBe(0);
    expect((await readOut(g)).width).toBe(600 - 2 * 2 * 5);
  });

  it.each([
    [['--kernel', 'nope', 'a.png', 'b.png'], /unknown kernel “nope”/],
    [['--border', 'mirror', 'a.png', 'b.png'], /--border must be one of zero, replicate, reflect, symmetric, wrap/],
    [['--stride', '0', 'a.png', 'b.png'], /--stride must be a whole number ≥ 1/],
    [['--param', 'sigma', 'a.png', 'b.png'], /--param expects NAME=NUMBER/],
    [['--kernel', 'gaussian', '--param', 'sigma=99', 'a.png', 'b.png'], /sigma must be a number from 0.1 to 10/],
    [['--bogus', 'a.png', 'b.png'], /Unknown option '--bogus'/],
    [['a.png'], /expected IN and OUT files/],
  ])('usage error %j exits 2 with one clear line', async (argv, msg) => {
    const r = await run(filterCommand, argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err.split('\n')).toHaveLength(1);
  });

  it('bad kernel files and missing inputs fail with the reason (exit 1 via the CLI)', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ matrix: [[1, 2, 3], [4, 5]] }));
    await expect(filterCommand(['--kernel-file', bad, coffee, join(dir, 'x.png')])).rejects.toThrow(/not rectangular: row 2 has 2 values, row 1 has 3/);
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ matrix: Array.from({ length: 33 }, () => new Array(33).fill(0)) }));
    await expect(filterCommand(['--kernel-file', big, coffee, join(dir, 'x.png')])).rejects.toThrow(/33x33.*31x31/);
    await expect(filterCommand(['--kernel-file', join(dir, 'none.json'), coffee, join(dir, 'x.png')])).rejects.toThrow(/none.json: no such file/);
    await expect(filterCommand([join(dir, 'missing.png'), join(dir, 'x.png')])).rejects.toThrow(/missing.png: no such file/);
  });
});

describe('onirique kernels', () => {
  it('lists every preset with its matrix, and prints one as a kernel file', async () => {
    const all = await run(kernelsCommand, []);
    expect(all.code).toBe(0);
    for (const name of ['edges-horizontal', 'sobel-magnitude', 'kirsch', 'log', 'unsharp', 'identity']) expect(all.out).toContain(`${name} — `);
    expect(all.out).toMatch(/edges-horizontal[^\n]*\n[^\n]*\n\s+-1 -1 -1\n\s+0\s+0\s+0\n\s+1\s+1\s+1/);
    const one = await run(kernelsCommand, ['box', '--param', 'n=2', '--json']);
    expect(JSON.parse(one.out)).toEqual({ name: 'box', matrix: [[1, 1], [1, 1]], divisor: 4 });
    expect((await run(kernelsCommand, ['nope'])).code).toBe(2);
  });
});
