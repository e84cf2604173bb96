/** The browser's recovery files: tile files round-trip onto a base, damaged files and foreign names are refused. */
import { describe, expect, it } from 'vitest';
import { applyTiles, boundedInfo, COMPACT_FILES, encodeTiles, needsCompaction, parseManifest, tilesFit, type RecoveryManifest } from '../../src/host/opfs-recovery-format';
import { folderRequest, weightPaths } from '../../src/host/web-model-import';

const image = (w: number, h: number, fill: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(fill) });
const manifest: RecoveryManifest = { name: 'a.png', operations: ['Filter'], savedAt: '2024-01-01T00:00:00.000Z', id: 'x1', width: 4, height: 3, base: 'base-ab-12.rgba', tiles: ['tiles-cd-34.bin'], tileBytes: 16 };

describe('recovery tile files', () => {
  it('paste each tile at its place and leave the rest of the base alone', () => {
    const img = image(4, 3, 0);
    const a = { x: 1, y: 1, w: 2, h: 2, data: new Uint8ClampedArray(16).map((_, i) => i + 1) };
    const b = { x: 3, y: 0, w: 1, h: 1, data: new Uint8ClampedArray([9, 9, 9, 9]) };
    applyTiles(img, encodeTiles([a, b]));
    const px = (x: number, y: number) => [...img.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4)];
    expect(px(1, 1)).toEqual([1, 2, 3, 4]);
    expect(px(2, 1)).toEqual([5, 6, 7, 8]);
    expect(px(1, 2)).toEqual([9, 10, 11, 12]);
    expect(px(2, 2)).toEqual([13, 14, 15, 16]);
    expect(px(3, 0)).toEqual([9, 9, 9, 9]);
    expect(px(0, 0)).toEqual([0, 0, 0, 0]);
    expect(px(3, 2)).toEqual([0, 0, 0, 0]);
  });

  it('refuse a truncated file, a foreign one and tiles outside the image', () => {
    const bytes = encodeTiles([{ x: 0, y: 0, w: 2, h: 2, data: new Uint8ClampedArray(16) }]);
    expect(() => applyTiles(image(4, 3, 0), bytes.subarray(0, bytes.length - 1))).toThrow(/damaged/);
    expect(() => applyTiles(image(4, 3, 0), new Uint8Array(24))).toThrow(/Not a recovery tile file/);
    expect(() => applyTiles(image(1, 1, 0), bytes)).toThrow(/damaged/);
    expect(tilesFit(4, 3, [{ x: 3, y: 0, w: 2, h: 1, data: new Uint8ClampedArray(8) }])).toBe(false);
    expect(tilesFit(4, 3, [{ x: 0, y: 0, w: 2, h: 1, data: new Uint8ClampedArray(7) }])).toBe(false);
    expect(tilesFit(4, 3, [{ x: 2, y: 2, w: 2, h: 1, data: new Uint8ClampedArray(8) }])).toBe(true);
  });
});

describe('recovery manifest', () => {
  it('reads back what was written', () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('is null when missing, damaged, or naming a file outside our own names', () => {
    expect(parseManifest(null)).toBeNull();
    expect(parseManifest('{"name":')).toBeNull();
    expect(parseManifest(JSON.stringify({ ...manifest, base: '../escape.rgba' }))).toBeNull();
    expect(parseManifest(JSON.stringify({ ...manifest, tiles: ['manifest.json'] }))).toBeNull();
    expect(parseManifest(JSON.stringify({ ...manifest, width: 0 }))).toBeNull();
  });

  it('asks for folding once the tiles hold as much as the image or too many files', () => {
    expect(needsCompaction(manifest)).toBe(false);
    expect(needsCompaction({ ...manifest, tileBytes: 4 * 3 * 4 })).toBe(true);
    expect(needsCompaction({ ...manifest, tiles: Array.from({ length: COMPACT_FILES }, (_, i) => `tiles-${i}.bin`) })).toBe(true);
  });

  it('keeps the name and the last 200 operations', () => {
    const ops = Array.from({ length: 250 }, (_, i) => `op${i}`);
    const got = boundedInfo({ name: 'x'.repeat(300), operations: ops });
    expect(got.name).toHaveLength(255);
    expect(got.operations).toEqual(ops.slice(-200));
  });
});

describe('browser model folder import', () => {
  const file = (path: string, text: string) => ({ path, bytes: () => Promise.resolve(new TextEncoder().encode(text)) });
  const modelJson = JSON.stringify({ weightsManifest: [{ paths: ['./group1-shard1of1', 'group2-shard1of1'] }] });

  it('lists the weight files model.json names', () => {
    expect(weightPaths(modelJson)).toEqual(['group1-shard1of1', 'group2-shard1of1']);
    expect(weightPaths('not json')).toEqual([]);
  });

  it('sends model.json, its weights and the label files, nothing else of the folder', async () => {
    const req = await folderRequest('net', [
      file('model.json', modelJson),
      file('group1-shard1of1', 'a'),
      file('group2-shard1of1', 'b'),
      file('labels.txt', 'cat\ndog'),
      file('saved_model.pb', 'big'),
      file('sub/model.json', '{}'),
    ]);
    expect(req.name).toBe('net');
    expect(req.files.map((f) => f.name).sort()).toEqual(['group1-shard1of1', 'group2-shard1of1', 'labels.txt', 'model.json']);
    expect(new TextDecoder().decode(req.files.find((f) => f.name === 'labels.txt')!.bytes)).toBe('cat\ndog');
  });

  it('sends no model.json when the folder has none at its top (the server then says so)', async () => {
    const req = await folderRequest('x', [file('sub/model.json', modelJson)]);
    expect(req.files).toEqual([]);
  });
});
