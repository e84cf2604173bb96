/** Crash recovery off the per-edit path: debounced snapshots, tiles after the first, a stroke's diff limited to its rectangle. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Rect, RgbaImage } from '../../src/core/image';
import { diffTiles, History, pixelEntry, TILE, tilesIn, type PixelHolder } from '../../src/app/state/history';
import { RECOVERY_DELAY_MS, RecoverySnapshots, type RecoveryHost } from '../../src/app/state/recovery-sync';
import { parseRecoveryTiles, RecoveryStore } from '../../src/services/recovery';
import { photoRgba, tempDir } from './files-fixtures';

/** Makes the next atomic write whose target matches fail as a crash would: a partial temp file left, the target untouched. */
const crash = vi.hoisted(() => ({ target: null as RegExp | null }));
vi.mock('../../src/services/atomic-write', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/services/atomic-write')>();
  return {
    ...real,
    writeFileAtomic: async (target: string, content: Uint8Array | AsyncIterable<Uint8Array>) => {
      if (crash.target?.test(basename(target)) && content instanceof Uint8Array) {
        crash.target = null;
        await writeFile(join(dirname(target), `.${basename(target)}.0123456789ab.tmp`), content.subarray(0, content.byteLength >> 1));
        throw new Error('ENOSPC: no space left on device');
      }
      return real.writeFileAtomic(target, content);
    },
  };
});

function paintRect(img: RgbaImage, r: Rect, v: number): RgbaImage {
  const out = { ...img, data: img.data.slice() };
  for (let y = r.y; y < r.y + r.h; y++) out.data.fill(v, (y * img.width + r.x) * 4, (y * img.width + r.x + r.w) * 4);
  return out;
}

function invert(img: RgbaImage): RgbaImage {
  const out = { ...img, data: img.data.slice() };
  for (let i = 0; i < out.data.length; i++) if (i % 4 !== 3) out.data[i] = 255 - out.data[i]!;
  return out;
}

function synthetic(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 10)) & 255;
  return { width, height, data };
}

const same = (a: RgbaImage | null, b: RgbaImage) => !!a && a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data));

/** The host of the desktop app reduced to its recovery store, counting the pixel bytes each call carries. */
function storeHost(store: RecoveryStore) {
  const calls: { kind: 'whole' | 'tiles'; bytes: number }[] = [];
  const host: RecoveryHost = {
    saveRecovery: (image, info) => (calls.push({ kind: 'whole', bytes: image.data.byteLength }), store.save(image, info)),
    saveRecoveryTiles: (update, info) => {
      calls.push({ kind: 'tiles', bytes: update.tiles.reduce((s, t) => s + t.data.byteLength, 0) });
      return store.saveTiles(parseRecoveryTiles(update), info);
    },
    clearRecovery: () => store.clear(),
  };
  return { host, calls };
}

/** The editor's recovery wiring (editor.svelte.ts): history reports what each step changed, every change schedules a snapshot. */
class EditorModel {
  readonly doc: PixelHolder;
  readonly history = new History<PixelHolder>();
  readonly snapshots: RecoverySnapshots;
  constructor(host: RecoveryHost, image: RgbaImage) {
    this.doc = { image };
    this.snapshots = new RecoverySnapshots(host);
    this.history.onApply = (e) => this.snapshots.touch(e.changed);
  }
  commit(label: string, after: RgbaImage, within?: Rect): void {
    const e = pixelEntry<PixelHolder>(label, this.doc.image, after, within);
    this.doc.image = after;
    this.history.push(e);
    this.schedule();
  }
  async step(way: 'undo' | 'redo'): Promise<void> {
    await this.history[way](this.doc);
    this.schedule();
  }
  private schedule(): void {
    this.snapshots.schedule(() => ({ image: this.doc.image, info: { name: 'photo.png', operations: this.history.labels } }));
  }
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  crash.target = null;
  for (const c of cleanups) await c();
  cleanups = [];
});

async function newStore(): Promise<{ store: RecoveryStore; dir: string }> {
  const t = await tempDir('onirique-recovery-');
  cleanups.push(t.cleanup);
  return { store: new RecoveryStore(t.dir), dir: join(t.dir, 'recovery') };
}

describe('incremental recovery snapshots', () => {
  it('reconstruct exactly the editor’s current pixels after every burst of edits, undo and redo', async () => {
    const { store, dir } = await newStore();
    const { host, calls } = storeHost(store);
    const ed = new EditorModel(host, await photoRgba('chelsea.png'));
    const edits: ((i: RgbaImage) => RgbaImage)[] = [
      (i) => paintRect(i, { x: 10, y: 20, w: 50, h: 40 }, 255),
      (i) => paintRect(i, { x: 300, y: 100, w: 140, h: 180 }, 0),
      invert,
      (i) => paintRect(i, { x: 130, y: 250, w: 3, h: 3 }, 7),
    ];
    for (const [k, edit] of edits.entries()) {
      ed.commit(`op ${k}`, edit(ed.doc.image));
      await ed.snapshots.flush();
      expect(same(await store.load(), ed.doc.image)).toBe(true);
      expect((await store.peek())?.operations).toEqual(ed.history.labels);
    }
    for (const way of ['undo', 'undo', 'redo', 'undo'] as const) {
      await ed.step(way);
      await ed.snapshots.flush();
      expect(same(await store.load(), ed.doc.image)).toBe(true);
    }
    // The whole image went only first and for the invert (every tile changed); the rest went as tiles.
    expect(calls.map((c) => c.kind)).toEqual(['whole', 'tiles', 'whole', 'tiles', 'tiles', 'whole', 'whole', 'whole']);
    // Files of older snapshots are gone: one base, the tile files the manifest lists, the manifest.
    const manifest = JSON.parse(await readFile(join(dir, 'document.json'), 'utf8')) as { base: string; tiles: string[] };
    expect((await readdir(dir)).sort()).toEqual(['document.json', manifest.base, ...manifest.tiles].sort());
  });

  it('coalesce a burst of edits into one snapshot written after the pause', async () => {
    vi.useFakeTimers();
    const saves: string[] = [];
    const host: RecoveryHost = {
      saveRecovery: () => (saves.push('whole'), Promise.resolve('a')),
      saveRecoveryTiles: (u) => (saves.push(`tiles ${u.tiles.length} on ${u.base}`), Promise.resolve('b')),
      clearRecovery: () => (saves.push('clear'), Promise.resolve()),
    };
    const ed = new EditorModel(host, synthetic(640, 480));
    for (let k = 0; k < 10; k++) {
      ed.commit(`dot ${k}`, paintRect(ed.doc.image, { x: 5, y: 5, w: 3, h: 3 }, k));
      await vi.advanceTimersByTimeAsync(RECOVERY_DELAY_MS / 3);
    }
    expect(saves).toEqual([]);
    await vi.advanceTimersByTimeAsync(RECOVERY_DELAY_MS);
    expect(saves).toEqual(['whole']);
    // A second burst touching two tiles, with an undo in it: one tiles snapshot on the first one's id.
    ed.commit('left', paintRect(ed.doc.image, { x: 0, y: 0, w: 2, h: 2 }, 1));
    ed.commit('right', paintRect(ed.doc.image, { x: 600, y: 400, w: 2, h: 2 }, 1));
    await ed.step('undo');
    await vi.advanceTimersByTimeAsync(RECOVERY_DELAY_MS - 1);
    expect(saves).toEqual(['whole']);
    await vi.advanceTimersByTimeAsync(1);
    expect(saves).toEqual(['whole', 'tiles 2 on a']);
  });

  it('leave the previous snapshot loadable when a tile write or the manifest write fails, then resend the whole image', async () => {
    const { store, dir } = await newStore();
    const { host, calls } = storeHost(store);
    const ed = new EditorModel(host, await photoRgba('chelsea.png'));
    ed.commit('first', paintRect(ed.doc.image, { x: 0, y: 0, w: 20, h: 20 }, 9));
    await ed.snapshots.flush();
    const saved = ed.doc.image;
    for (const target of [/^tiles-/, /^document\.json$/]) {
      crash.target = target;
      ed.commit('lost', paintRect(ed.doc.image, { x: 200, y: 200, w: 20, h: 20 }, 200));
      await ed.snapshots.flush();
      expect(crash.target).toBeNull();
      expect((await store.peek())?.operations).toEqual(['first']);
      expect(same(await store.load(), saved)).toBe(true);
      await ed.step('undo');
      await ed.snapshots.flush();
    }
    // The failure made the next snapshot a whole one, which is exact and sweeps the leftovers.
    expect(calls.at(-1)?.kind).toBe('whole');
    ed.commit('after', paintRect(ed.doc.image, { x: 50, y: 50, w: 5, h: 5 }, 50));
    await ed.snapshots.flush();
    expect(calls.at(-1)?.kind).toBe('tiles');
    expect(same(await store.load(), ed.doc.image)).toBe(true);
    expect((await readdir(dir)).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('send far fewer bytes than the whole image for a small edit', async () => {
    const { store } = await newStore();
    const { host, calls } = storeHost(store);
    const image = synthetic(3000, 2000);
    const ed = new EditorModel(host, image);
    ed.commit('first', paintRect(image, { x: 1000, y: 1000, w: 400, h: 300 }, 0));
    await ed.snapshots.flush();
    ed.commit('dot', paintRect(ed.doc.image, { x: 10, y: 10, w: 8, h: 8 }, 255));
    await ed.snapshots.flush();
    expect(calls.map((c) => c.kind)).toEqual(['whole', 'tiles']);
    expect(calls[1]!.bytes).toBe(TILE * TILE * 4);
    expect(calls[1]!.bytes).toBeLessThan(image.data.byteLength / 100);
    expect(same(await store.load(), ed.doc.image)).toBe(true);
  });

  it('end cleared when the document turns clean before or during a write, and start again with the whole image', async () => {
    const { store } = await newStore();
    const { host, calls } = storeHost(store);
    let started: () => void = () => undefined;
    const save = host.saveRecovery;
    host.saveRecovery = (image, info) => (started(), save(image, info));
    const ed = new EditorModel(host, synthetic(400, 300));
    ed.commit('first', paintRect(ed.doc.image, { x: 0, y: 0, w: 4, h: 4 }, 1));
    // Undone back to the saved state before the snapshot started: it is not written at all.
    await Promise.all([ed.snapshots.flush(), ed.snapshots.clear()]);
    expect(calls).toEqual([]);
    ed.commit('second', paintRect(ed.doc.image, { x: 0, y: 0, w: 4, h: 4 }, 2));
    const writing = ed.snapshots.flush();
    await new Promise<void>((r) => (started = r));
    // ...and while it is being written: the clear lands after it, and its id is not used as a base.
    await Promise.all([writing, ed.snapshots.clear()]);
    expect(await store.peek()).toBeNull();
    ed.commit('third', paintRect(ed.doc.image, { x: 0, y: 0, w: 4, h: 4 }, 3));
    await ed.snapshots.flush();
    expect(calls.map((c) => c.kind)).toEqual(['whole', 'whole']);
    expect(same(await store.load(), ed.doc.image)).toBe(true);
  });

  it('refuse tiles computed on another base, and tiles outside the image', async () => {
    const { store } = await newStore();
    const img = synthetic(300, 200);
    const id = await store.save(img, { name: 'a.png', operations: ['one'] });
    const tile = { x: 0, y: 0, w: 1, h: 1, data: new Uint8ClampedArray(4) };
    expect(await store.saveTiles({ base: 'other', width: 300, height: 200, tiles: [tile] }, { name: 'a.png', operations: [] })).toBeNull();
    expect(() => parseRecoveryTiles({ base: id, width: 300, height: 200, tiles: [{ ...tile, x: 300 }] })).toThrow(/outside/);
    expect(() => parseRecoveryTiles({ base: id, width: 300, height: 200, tiles: [{ ...tile, w: 2 }] })).toThrow(/match/);
    expect(same(await store.load(), img)).toBe(true);
  });

  it('fold the tile files into a new base once they outweigh the image, with the same pixels', async () => {
    const { store, dir } = await newStore();
    const { host } = storeHost(store);
    const ed = new EditorModel(host, synthetic(512, 512));
    ed.commit('first', invert(ed.doc.image));
    await ed.snapshots.flush();
    for (let k = 0; k < 6; k++) {
      ed.commit(`band ${k}`, paintRect(ed.doc.image, { x: 0, y: (k % 4) * 128, w: 512, h: 10 }, k * 30));
      await ed.snapshots.flush();
      expect(same(await store.load(), ed.doc.image)).toBe(true);
    }
    const manifest = JSON.parse(await readFile(join(dir, 'document.json'), 'utf8')) as { tiles: string[] };
    expect(manifest.tiles.length).toBeLessThan(4);
  });

  it('still restore a snapshot written before tile files (one PNG)', async () => {
    const { store, dir } = await newStore();
    const img = synthetic(64, 48);
    await store.save(img, { name: 'x.png', operations: [] });
    await writeFile(join(dir, 'document.png'), await sharp(Buffer.from(img.data), { raw: { width: 64, height: 48, channels: 4 } }).png().toBuffer());
    await writeFile(join(dir, 'document.json'), JSON.stringify({ name: 'old.png', operations: ['op'], savedAt: '2026-01-01T00:00:00.000Z' }));
    expect(await store.peek()).toEqual({ name: 'old.png', operations: ['op'], savedAt: '2026-01-01T00:00:00.000Z' });
    expect(same(await store.load(), img)).toBe(true);
  });
});

describe('a stroke commit diffs only its rectangle', () => {
  it('gives the same patches as the full diff when the rectangle covers the change', async () => {
    const photo = await photoRgba('chelsea.png');
    const stroke: Rect = { x: 100, y: 90, w: 150, h: 60 };
    const after = paintRect(photo, { x: 120, y: 100, w: 100, h: 30 }, 3);
    const full = diffTiles(photo, after);
    const inRect = diffTiles(photo, after, stroke);
    expect(full.length).toBeGreaterThan(1);
    expect(inRect.map(({ x, y, w, h }) => [x, y, w, h])).toEqual(full.map(({ x, y, w, h }) => [x, y, w, h]));
    expect(inRect.every((p, i) => Buffer.from(p.data).equals(Buffer.from(full[i]!.data)))).toBe(true);
  });

  it('does not scan outside the rectangle: a change there is not found, and only the tiles it touches are visited', async () => {
    const photo = await photoRgba('chelsea.png');
    const stroke: Rect = { x: 130, y: 130, w: 10, h: 10 };
    // Everything differs, so any tile scanned would come back as a patch.
    const patches = diffTiles(photo, invert(photo), stroke);
    expect(patches.map(({ x, y }) => [x, y])).toEqual([[128, 128]]);
    expect(tilesIn(photo.width, photo.height, stroke)).toHaveLength(1);
    expect(tilesIn(5312, 2988, { x: 1024, y: 1024, w: 300, h: 200 })).toHaveLength(3 * 2);
    const entry = pixelEntry<PixelHolder>('stroke', photo, invert(photo), stroke);
    expect(entry.bytes).toBe(TILE * TILE * 4);
    expect(entry.changed).toEqual([{ x: 128, y: 128, w: TILE, h: TILE }]);
  });
});
