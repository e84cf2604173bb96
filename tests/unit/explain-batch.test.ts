/** Batch `onirique gradcam` / `classify`: a folder with a corrupt file gives every other output, a CSV and exit 1. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { classifyCommand } from '../../src/explain/classify-command';
import { outputStems, runBatch } from '../../src/explain/explain-batch';
import { gradcamCommand } from '../../src/explain/gradcam-command';
import { readPngText } from '../../src/services/png-text';
import { modelDir, photoPath, useBackend } from './net-fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'onirique-batch-'));
const photos = path.join(dir, 'photos');
beforeAll(async () => {
  await useBackend('wasm');
  mkdirSync(photos);
  copyFileSync(photoPath('coffee.png'), path.join(photos, 'a-coffee.png'));
  copyFileSync(photoPath('chelsea.png'), path.join(photos, 'c-chelsea.png'));
  // A PNG signature followed by garbage: named like a photo, undecodable.
  writeFileSync(path.join(photos, 'b-broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
  writeFileSync(path.join(photos, 'notes.txt'), 'not a photo');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command with console.log and stderr captured. */
async function captured(run: () => Promise<number>): Promise<{ code: number; err: string[]; out: string[] }> {
  const err: string[] = [];
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  try {
    return { code: await run(), err, out };
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
}

/** A CSV's rows as arrays of cells (no quoted commas in these). */
const csvRows = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => l.split(','));

describe('gradcam --out-dir', () => {
  it('writes every other photo’s overlay with its scores, one line for the corrupt file, a CSV, and exits 1', async () => {
    const out = path.join(dir, 'cams');
    const r = await captured(() => gradcamCommand(['--model', modelDir, '--out-dir', out, '--faithfulness', photos]));
    expect(r.code).toBe(1);
    const failures = r.err.join('').split('\n').filter(Boolean);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^onirique gradcam: .*b-broken\.png/);
    for (const name of ['a-coffee-gradcam.png', 'c-chelsea-gradcam.png']) {
      const png = readFileSync(path.join(out, name));
      const text = readPngText(png);
      expect(text['onirique:method']).toBe('gradcam');
      expect(Number(text['onirique:faithfulness'])).toBeGreaterThan(0);
      expect(text['onirique:faithfulness-remove']!.split(',')).toHaveLength(9);
    }
    expect(existsSync(path.join(out, 'b-broken-gradcam.png'))).toBe(false);
    const rows = csvRows(path.join(out, 'gradcam-summary.csv'));
    expect(rows[0]!.slice(0, 7)).toEqual(['file', 'output', 'class', 'label', 'probability', 'method', 'faithfulness']);
    expect(rows.slice(1).map((c) => path.basename(c[0]!))).toEqual(['a-coffee.png', 'b-broken.png', 'c-chelsea.png']);
    const coffee = rows[1]!;
    expect(coffee[2]).toBe('967');
    expect(coffee[5]).toBe('gradcam');
    expect(Number(coffee[6])).toBeGreaterThan(0);
    expect(rows[2]!.at(-1)).not.toBe('');
    expect(rows[1]!.at(-1)).toBe('');
    expect(r.out.at(-1)).toMatch(/2 of 3 photo/);
  });

  it('writes a method grid per photo with --grids, its scores in the PNG text and the CSV', async () => {
    const out = path.join(dir, 'grids');
    const r = await captured(() => gradcamCommand(['--model', modelDir, '--out-dir', out, '--grids', '--grid-methods', 'gradcam,eigencam', path.join(photos, 'a-coffee.png')]));
    expect(r.code).toBe(0);
    const grid = readFileSync(path.join(out, 'a-coffee-grid.png'));
    const text = readPngText(grid);
    expect(text['onirique:methods']).toBe('gradcam,eigencam');
    expect(text['onirique:faithfulness:eigencam']).toMatch(/^-?\d\.\d{4}$/);
    const meta = await sharp(grid).metadata();
    expect(meta.width).toBeGreaterThan(2 * 256);
    const rows = csvRows(path.join(out, 'gradcam-summary.csv'));
    // The map's own row (no --faithfulness: blank score) then one per grid method with its score.
    expect(rows.slice(1).map((c) => c[5])).toEqual(['gradcam', 'gradcam', 'eigencam']);
    expect(rows[1]![6]).toBe('');
    expect(rows[3]![6]).toBe(Number(text['onirique:faithfulness:eigencam']).toFixed(4));
  });

  it('refuses per-file outputs in batch mode, and a missing output folder’s parent before the model loads', async () => {
    await expect(gradcamCommand(['--out-dir', dir, '--raw', 'x.npy', photos])).rejects.toThrow(/--grids/);
    await expect(gradcamCommand(['--grids', 'a.png', 'b.png'])).rejects.toThrow(/--out-dir/);
    await expect(gradcamCommand(['--grid-methods', 'gradcam,nope', 'a.png', 'b.png'])).rejects.toThrow(/--grid-methods/);
    await expect(gradcamCommand(['--model', '/nonexistent-model', '--out-dir', path.join(photos, 'notes.txt', 'x'), photos])).rejects.toThrow(/cannot create the output folder/);
  });
});

describe('gradcam IN OUT.png with scores', () => {
  it('--faithfulness, --grid and --csv for one photo: scores in the overlay, a grid PNG, the rows in the CSV', async () => {
    const out = path.join(dir, 'one.png');
    const grid = path.join(dir, 'one-grid.png');
    const csv = path.join(dir, 'one.csv');
    const r = await captured(() => gradcamCommand(['--model', modelDir, '--faithfulness', '--grid', grid, '--grid-methods', 'layercam,gradcam', '--csv', csv, photoPath('coffee.png'), out]));
    expect(r.code).toBe(0);
    const score = readPngText(readFileSync(out))['onirique:faithfulness'];
    expect(Number(score)).toBeGreaterThan(0);
    expect(r.out[0]).toMatch(/faithfulness \+0\.\d{3} → /);
    const text = readPngText(readFileSync(grid));
    expect(text['onirique:methods']).toBe('layercam,gradcam');
    // The grid's Grad-CAM is the same map as the overlay's: the same score.
    expect(text['onirique:faithfulness:gradcam']).toBe(score);
    expect(csvRows(csv).slice(1).map((c) => [c[5], c[6]])).toEqual([['gradcam', score], ['layercam', text['onirique:faithfulness:layercam']], ['gradcam', score]]);
  });

  it('checks the grid and CSV paths before the model loads', async () => {
    await expect(gradcamCommand(['--model', '/nonexistent-model', '--grid', path.join(dir, 'g.jpg'), photoPath('coffee.png'), path.join(dir, 'o.png')])).rejects.toThrow(/g\.jpg: unsupported extension/);
    await expect(gradcamCommand(['--model', '/nonexistent-model', '--csv', path.join(dir, 'nope', 's.csv'), photoPath('coffee.png'), path.join(dir, 'o.png')])).rejects.toThrow(/does not exist/);
  });
});

describe('classify --out-dir', () => {
  it('classifies every other photo, one line for the corrupt one, writes the CSV and exits 1', async () => {
    const out = path.join(dir, 'classes');
    const r = await captured(() => classifyCommand(['--model', modelDir, '--out-dir', out, '--top', '2', photos]));
    expect(r.code).toBe(1);
    expect(r.err.join('').split('\n').filter(Boolean)).toHaveLength(1);
    const rows = csvRows(path.join(out, 'classify-summary.csv'));
    expect(rows[0]).toEqual(['file', 'rank', 'class', 'label', 'probability', 'error']);
    expect(rows).toHaveLength(1 + 2 + 1 + 2);
    expect(rows[1]!.slice(1, 4)).toEqual(['1', '967', 'espresso']);
    expect(path.basename(rows[3]![0]!)).toBe('b-broken.png');
    expect(rows[3]![5]).not.toBe('');
  });
});

describe('batch helpers', () => {
  it('redraws a progress line only on a terminal and keeps going past a failure', async () => {
    const tty: string[] = [];
    const seen: string[] = [];
    const res = await runBatch('gradcam', ['a.png', 'b.png', 'c.png'], async (f) => {
      if (f === 'b.png') throw new Error('bad pixels');
      seen.push(f);
    }, () => undefined, { isTTY: true, write: (s) => void tty.push(s) });
    expect(res).toEqual({ failed: 1, done: 2 });
    expect(seen).toEqual(['a.png', 'c.png']);
    expect(tty.join('')).toContain('[3/3] c.png');
    expect(tty).toContain('onirique gradcam: b.png: bad pixels\n');
    const pipe: string[] = [];
    await runBatch('gradcam', ['a.png'], async () => undefined, () => undefined, { isTTY: false, write: (s) => void pipe.push(s) });
    expect(pipe).toEqual([]);
  });

  it('gives two photos of the same name distinct outputs', () => {
    expect(outputStems(['x/cat.jpg', 'y/cat.png', 'dog.webp'])).toEqual(['cat', 'cat-2', 'dog']);
  });
});
