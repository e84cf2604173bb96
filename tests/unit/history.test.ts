/** Document history: tile deltas restore exact pixels, keep one copy of changed tiles, honour the budget. */
import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { History, pixelEntry, TILE, type PixelHolder, type SpillStore } from '../../src/app/state/history';
import type { RgbaImage } from '../../src/core/image';
import { photoRgba, tempDir } from './files-fixtures';

function paintRect(img: RgbaImage, x0: number, y0: number, w: number, h: number, v: number): RgbaImage {
  const out = { ...img, data: img.data.slice() };
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) out.data.fill(v, (y * img.width + x) * 4, (y * img.width + x) * 4 + 3);
  return out;
}

function invert(img: RgbaImage): RgbaImage {
  const out = { ...img, data: img.data.slice() };
  for (let i = 0; i < out.data.length; i++) if (i % 4 !== 3) out.data[i] = 255 - out.data[i]!;
  return out;
}

const same = (a: RgbaImage, b: RgbaImage) => a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data));

describe('History with tile deltas', () => {
  it('undoes and redoes a chain of changes to the exact pixels', async () => {
    const photo = await photoRgba('chelsea.png');
    const doc: PixelHolder = { image: photo };
    const h = new History<PixelHolder>();
    const states: RgbaImage[] = [photo];
    const ops = [(i: RgbaImage) => paintRect(i, 10, 20, 50, 40, 255), invert, (i: RgbaImage) => paintRect(i, 300, 100, 140, 180, 0)];
    for (const [k, op] of ops.entries()) {
      const after = op(doc.image);
      h.push(pixelEntry(`op ${k}`, doc.image, after));
      doc.image = after;
      states.push(after);
    }
    for (let k = ops.length - 1; k >= 0; k--) {
      expect(await h.undo(doc)).toBe(`op ${k}`);
      expect(same(doc.image, states[k]!)).toBe(true);
    }
    expect(await h.undo(doc)).toBeNull();
    for (let k = 1; k <= ops.length; k++) {
      await h.redo(doc);
      expect(same(doc.image, states[k]!)).toBe(true);
    }
    // Undo twice, redo once, and a new change drops the redo branch.
    await h.undo(doc);
    await h.undo(doc);
    await h.redo(doc);
    expect(same(doc.image, states[2]!)).toBe(true);
    h.push(pixelEntry('new', doc.image, invert(doc.image)));
    expect(h.canRedo).toBe(false);
  });

  it('keeps only the changed tiles, once', async () => {
    const photo = await photoRgba('chelsea.png');
    const small = pixelEntry<PixelHolder>('dot', photo, paintRect(photo, 5, 5, 3, 3, 0));
    expect(small.bytes).toBe(TILE * TILE * 4);
    const whole = pixelEntry<PixelHolder>('invert', photo, invert(photo));
    expect(whole.bytes).toBe(photo.data.byteLength);
  });

  it('drops the oldest steps past its memory budget', async () => {
    const photo = await photoRgba('chelsea.png');
    const doc: PixelHolder = { image: photo };
    const h = new History<PixelHolder>(photo.data.byteLength * 2.5);
    for (let k = 0; k < 5; k++) {
      const after = invert(doc.image);
      h.push(pixelEntry(`invert ${k}`, doc.image, after));
      doc.image = after;
    }
    expect(h.labels).toEqual(['invert 3', 'invert 4']);
    expect(h.bytes).toBeLessThanOrEqual(photo.data.byteLength * 2.5);
  });

  it('handles a change of size (valid mode, stride) by swapping whole images', async () => {
    const photo = await photoRgba('chelsea.png');
    const doc: PixelHolder = { image: photo };
    const h = new History<PixelHolder>();
    const cropped: RgbaImage = { width: 10, height: 10, data: new Uint8ClampedArray(400).fill(7) };
    h.push(pixelEntry('crop', doc.image, cropped));
    doc.image = cropped;
    await h.undo(doc);
    expect(same(doc.image, photo)).toBe(true);
    await h.redo(doc);
    expect(same(doc.image, cropped)).toBe(true);
  });
});

/** The OPFS store's contract on a real folder. */
function folderStore(dir: string): SpillStore & { writes: number } {
  const store = {
    writes: 0,
    async write(key: string, chunks: Uint8Array[]) {
      store.writes++;
      await writeFile(join(dir, key), Buffer.concat(chunks));
    },
    read: async (key: string) => new Uint8Array(await readFile(join(dir, key))),
    remove: (key: string) => rm(join(dir, key)),
  };
  return store;
}

describe('History spilled to a store', () => {
  it('keeps only the memory budget in memory and restores the exact pixels from disk', async () => {
    const photo = await photoRgba('chelsea.png');
    const { dir, cleanup } = await tempDir('onirique-history-');
    try {
      await mkdir(join(dir, 's'));
      const store = folderStore(join(dir, 's'));
      const full = photo.data.byteLength;
      const h = new History<PixelHolder>(full * 2, { memoryBytes: full * 1.5, spilledBudgetBytes: full * 100 });
      h.useStore(store);
      const doc: PixelHolder = { image: photo };
      const states: RgbaImage[] = [photo];
      const ops = [invert, (i: RgbaImage) => paintRect(i, 40, 30, 200, 100, 9), invert, (i: RgbaImage) => paintRect(i, 0, 0, 5, 5, 200), invert, invert];
      for (const [k, op] of ops.entries()) {
        const after = op(doc.image);
        h.push(pixelEntry(`op ${k}`, doc.image, after));
        doc.image = after;
        states.push(after);
      }
      await h.settled();
      // Beyond the in-memory budget alone (2 full steps) every step is still there, most on disk.
      expect(h.labels).toHaveLength(ops.length);
      expect(h.residentBytes).toBeLessThanOrEqual(full * 1.5);
      expect(h.bytes).toBeGreaterThan(full * 4);
      expect((await readdir(join(dir, 's'))).length).toBeGreaterThanOrEqual(3);
      for (let k = ops.length - 1; k >= 0; k--) {
        expect(await h.undo(doc)).toBe(`op ${k}`);
        expect(same(doc.image, states[k]!)).toBe(true);
      }
      for (let k = 1; k <= ops.length; k++) {
        await h.redo(doc);
        expect(same(doc.image, states[k]!)).toBe(true);
      }
      await h.settled();
      expect(h.residentBytes).toBeLessThanOrEqual(full * 1.5);
      h.clear();
      await h.settled();
      expect(await readdir(join(dir, 's'))).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it('falls back to memory and its budget when the store fails', async () => {
    const photo = await photoRgba('chelsea.png');
    const full = photo.data.byteLength;
    const broken: SpillStore = {
      write: () => Promise.reject(new Error('quota exceeded')),
      read: () => Promise.reject(new Error('nothing written')),
      remove: () => Promise.resolve(),
    };
    const h = new History<PixelHolder>(full * 2.5, { memoryBytes: full, spilledBudgetBytes: full * 100 });
    h.useStore(broken);
    const doc: PixelHolder = { image: photo };
    for (let k = 0; k < 5; k++) {
      const after = invert(doc.image);
      h.push(pixelEntry(`invert ${k}`, doc.image, after));
      doc.image = after;
    }
    await h.settled();
    expect(h.residentBytes).toBe(h.bytes);
    expect(h.bytes).toBeLessThanOrEqual(full * 2.5);
    await h.undo(doc);
    await h.undo(doc);
    expect(same(doc.image, invert(photo))).toBe(true);
  });
});
