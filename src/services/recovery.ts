/**
 * Crash recovery: the document as of its latest snapshot, so a crash loses at most the edits since.
 * A snapshot is a base PNG plus tile files applied over it, oldest first, listed in a manifest
 * (document.json). Every file is written atomically and never rewritten; the manifest is replaced
 * last, so a crash at any point leaves the old manifest with complete files, or the new one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { MAX_PIXELS, type RecoveryInfo, type RecoveryTile, type RecoveryTilesUpdate, type RgbaImage } from '../host/host-contract';
import { applyTiles, COMPACT_FILES, encodeTiles } from '../host/recovery-tiles';
import { writeFileAtomic } from './atomic-write';
import { readJson, writeJson } from './json-store';

/** What document.json holds: the info the user sees, and the files that make the pixels. */
interface Manifest extends RecoveryInfo {
  /** Names this snapshot's pixels: a tile save applies only to the id it was computed against. */
  id: string;
  width: number;
  height: number;
  /** Base PNG file (a snapshot from before tile files has only document.png). */
  base: string;
  /** Tile files over the base, oldest first. */
  tiles: string[];
  /** Pixel bytes in the tile files (when to fold them into a new base). */
  tileBytes: number;
}

const MANIFEST = 'document.json';
const LEGACY_BASE = 'document.png';
const FILE_NAME = /^[a-z0-9-]+\.(png|bin)$/;

const newId = () => randomBytes(8).toString('hex');

/** Validates a tiles update from the renderer: integer tiles inside the image, pixel bytes matching each. */
export function parseRecoveryTiles(v: unknown): RecoveryTilesUpdate {
  const o = v as Partial<RecoveryTilesUpdate> | null;
  if (!o || typeof o !== 'object' || typeof o.base !== 'string' || !Array.isArray(o.tiles)) throw new Error('Recovery tiles must name a base and list tiles.');
  const { width, height } = o;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1 || width! * height! > MAX_PIXELS) throw new Error('Recovery size is invalid.');
  const tiles = o.tiles.map((t: Partial<RecoveryTile> | null): RecoveryTile => {
    const { x, y, w, h } = t ?? {};
    const data: unknown = t?.data;
    if (![x, y, w, h].every(Number.isInteger) || x! < 0 || y! < 0 || w! < 1 || h! < 1 || x! + w! > width! || y! + h! > height!) throw new Error('Recovery tile is outside the image.');
    if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array) || data.length !== w! * h! * 4) throw new Error('Recovery tile pixels do not match its size.');
    return { x: x!, y: y!, w: w!, h: h!, data: data instanceof Uint8ClampedArray ? data : new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  });
  return { base: o.base, width: width!, height: height!, tiles };
}

/** Validates the info sent with a snapshot (name and operation labels, bounded). */
export function parseRecoveryInfo(v: unknown): Omit<RecoveryInfo, 'savedAt'> {
  const i = v as { name?: unknown; operations?: unknown } | null;
  const name = typeof i?.name === 'string' ? i.name.slice(0, 255) : 'Untitled';
  const operations = Array.isArray(i?.operations) ? i.operations.filter((o): o is string => typeof o === 'string').slice(-200) : [];
  return { name, operations };
}

/** Stores one recovery snapshot in `<userData>/recovery/`. */
export class RecoveryStore {
  private dir: string;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(userDataDir: string) {
    this.dir = join(userDataDir, 'recovery');
  }

  /** Runs store jobs one at a time, in call order, so an older snapshot never lands after a newer one. */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.pending.then(job, job);
    this.pending = run.catch(() => undefined);
    return run;
  }

  /** Saves a whole-image snapshot; resolves to its id, which later tile saves name as their base. */
  save(image: RgbaImage, info: Omit<RecoveryInfo, 'savedAt'>): Promise<string> {
    return this.serial(async () => {
      await mkdir(this.dir, { recursive: true });
      const id = newId();
      const base = await this.writeBase(image);
      await this.commit({ ...info, savedAt: new Date().toISOString(), id, width: image.width, height: image.height, base, tiles: [], tileBytes: 0 });
      return id;
    });
  }

  /**
   * Saves a snapshot as tiles over the stored one; resolves to the new snapshot's id, or null
   * (nothing written) when the stored snapshot is not `update.base`: the caller then saves the whole image.
   */
  saveTiles(update: RecoveryTilesUpdate, info: Omit<RecoveryInfo, 'savedAt'>): Promise<string | null> {
    return this.serial(async () => {
      const m = await this.manifest();
      if (!m || m.id !== update.base || m.width !== update.width || m.height !== update.height) return null;
      const id = newId();
      const file = `tiles-${id}.bin`;
      await writeFileAtomic(join(this.dir, file), encodeTiles(update.tiles));
      const bytes = update.tiles.reduce((s, t) => s + t.data.byteLength, 0);
      const next: Manifest = { ...m, ...info, savedAt: new Date().toISOString(), id, tiles: [...m.tiles, file], tileBytes: m.tileBytes + bytes };
      await this.commit(next);
      // Folding bounds the disk use and the restore time; the snapshot above is already safe if it fails.
      if (next.tileBytes >= next.width * next.height * 4 || next.tiles.length >= COMPACT_FILES) await this.compact(next).catch(() => undefined);
      return id;
    });
  }

  /** The snapshot left by a session that did not end cleanly, or null. */
  async peek(): Promise<RecoveryInfo | null> {
    const m = await this.manifest();
    return m ? { name: m.name, operations: m.operations, savedAt: m.savedAt } : null;
  }

  /** The snapshot's full pixels (base plus tiles); null when there is none or it is unreadable. */
  async load(): Promise<RgbaImage | null> {
    const m = await this.manifest();
    return m ? this.pixels(m).catch(() => null) : null;
  }

  /** Removes the snapshot (clean close, export, or the user declined to restore). */
  async clear(): Promise<void> {
    await this.serial(() => rm(this.dir, { recursive: true, force: true }));
  }

  private async manifest(): Promise<Manifest | null> {
    const m = await readJson<Partial<Manifest> | null>(join(this.dir, MANIFEST), null);
    if (!m || typeof m.name !== 'string' || typeof m.savedAt !== 'string') return null;
    const operations = Array.isArray(m.operations) ? m.operations : [];
    // A snapshot written before tile files: one PNG, no id (tiles never apply to it).
    const files = Array.isArray(m.tiles) ? m.tiles : [];
    // Names come back from disk: only our own plain file names may be read.
    if (![m.base ?? LEGACY_BASE, ...files].every((f) => typeof f === 'string' && FILE_NAME.test(f))) return null;
    if (typeof m.base !== 'string') return { name: m.name, operations, savedAt: m.savedAt, id: '', width: 0, height: 0, base: LEGACY_BASE, tiles: [], tileBytes: 0 };
    return { ...m, operations, id: String(m.id), width: Number(m.width), height: Number(m.height), base: m.base, tiles: files, tileBytes: Number(m.tileBytes) || 0, name: m.name, savedAt: m.savedAt };
  }

  private async pixels(m: Manifest): Promise<RgbaImage> {
    const { data, info } = await sharp(await readFile(join(this.dir, m.base))).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
    for (const file of m.tiles) applyTiles(img, await readFile(join(this.dir, file)));
    return img;
  }

  /** Writes a new base PNG under a fresh name (never over the one the manifest names). */
  private async writeBase(image: RgbaImage): Promise<string> {
    const raw = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    // Fast PNG (level 1): bases are written for whole-image snapshots of large photos.
    const png = await sharp(raw, { raw: { width: image.width, height: image.height, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer();
    const base = `base-${newId()}.png`;
    await writeFileAtomic(join(this.dir, base), png);
    return base;
  }

  /** Folds the tile files into a new base; same pixels, so the snapshot keeps its id. */
  private async compact(m: Manifest): Promise<void> {
    const base = await this.writeBase(await this.pixels(m));
    await this.commit({ ...m, base, tiles: [], tileBytes: 0 });
  }

  /** Replaces the manifest, then deletes the files it no longer names (leftovers of older snapshots or crashes). */
  private async commit(m: Manifest): Promise<void> {
    await writeJson(join(this.dir, MANIFEST), m);
    const keep = new Set([MANIFEST, m.base, ...m.tiles]);
    for (const name of await readdir(this.dir)) if (!keep.has(name)) await rm(join(this.dir, name), { force: true }).catch(() => undefined);
  }
}
