/**
 * The browser's recovery snapshot files, kept free of OPFS so they can be tested in Node: a raw RGBA
 * base (exact: a canvas PNG round trip would premultiply alpha and change semi-transparent pixels),
 * tile files in the desktop's "ORT1" layout (src/services/recovery.ts), and the manifest naming them.
 */
import type { RecoveryInfo, RecoveryTile } from './host-contract';
import { COMPACT_FILES } from './recovery-tiles';

export { applyTiles, COMPACT_FILES, encodeTiles } from './recovery-tiles';

/** What manifest.json holds: the info the user sees, and the files that make the pixels. */
export interface RecoveryManifest extends RecoveryInfo {
  /** Names this snapshot's pixels: a tile save applies only to the id it was computed against. */
  id: string;
  width: number;
  height: number;
  /** Raw RGBA base file (width * height * 4 bytes). */
  base: string;
  /** Tile files over the base, oldest first. */
  tiles: string[];
  /** Pixel bytes in the tile files (when to fold them into a new base). */
  tileBytes: number;
}

/** The manifest's file name; it is replaced last, so it only ever names complete files. */
export const MANIFEST = 'manifest.json';
const FILE_NAME = /^[a-z0-9-]+\.(rgba|bin)$/;

/** True when the manifest's tile files should be folded into a new base. */
export function needsCompaction(m: RecoveryManifest): boolean {
  return m.tileBytes >= m.width * m.height * 4 || m.tiles.length >= COMPACT_FILES;
}

/** Checks tiles before they are stored: whole tiles inside the image, with pixels matching their size. */
export function tilesFit(width: number, height: number, tiles: readonly RecoveryTile[]): boolean {
  return tiles.every(
    (t) => [t.x, t.y, t.w, t.h].every(Number.isInteger) && t.x >= 0 && t.y >= 0 && t.w > 0 && t.h > 0 && t.x + t.w <= width && t.y + t.h <= height && t.data.length === t.w * t.h * 4,
  );
}

/** The manifest read back from storage, or null when it is missing, damaged or names a file we never write. */
export function parseManifest(text: string | null): RecoveryManifest | null {
  let raw: unknown;
  try {
    raw = text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const get = (k: string): unknown => Reflect.get(raw, k);
  const [name, savedAt, id, base, width, height, tiles, tileBytes, operations] = ['name', 'savedAt', 'id', 'base', 'width', 'height', 'tiles', 'tileBytes', 'operations'].map(get);
  if (typeof name !== 'string' || typeof savedAt !== 'string' || typeof id !== 'string' || typeof base !== 'string') return null;
  if (!Number.isInteger(width) || !Number.isInteger(height) || Number(width) < 1 || Number(height) < 1) return null;
  if (!Array.isArray(tiles) || !tiles.every((f): f is string => typeof f === 'string')) return null;
  // Names come back from storage: only our own plain file names may be read.
  if (![base, ...tiles].every((f) => FILE_NAME.test(f))) return null;
  const ops = Array.isArray(operations) ? operations.filter((o): o is string => typeof o === 'string') : [];
  return { name, savedAt, operations: ops, id, width: Number(width), height: Number(height), base, tiles, tileBytes: Number(tileBytes) || 0 };
}

/** The info a snapshot keeps, bounded as the desktop bounds it (name and the last 200 operation labels). */
export function boundedInfo(info: Omit<RecoveryInfo, 'savedAt'>): Omit<RecoveryInfo, 'savedAt'> {
  return { name: String(info.name).slice(0, 255), operations: info.operations.filter((o) => typeof o === 'string').slice(-200) };
}
