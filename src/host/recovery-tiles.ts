/**
 * The recovery tile file ("ORT1"), one format for the desktop store (src/services/recovery.ts) and
 * the browser's (opfs-recovery.ts): pure bytes, no file system.
 */
import type { RecoveryTile, RgbaImage } from './host-types';

/** Tile files are folded into a new base once they hold as many bytes as the raw image, or this many files. */
export const COMPACT_FILES = 64;
const MAGIC = 0x3154524f; // "ORT1"

/** A tile file: magic, count, then x, y, w, h of each tile (u32 LE), then their pixels in order. */
export function encodeTiles(tiles: readonly RecoveryTile[]): Uint8Array<ArrayBuffer> {
  const head = 8 + tiles.length * 16;
  const out = new Uint8Array(head + tiles.reduce((s, t) => s + t.data.byteLength, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, tiles.length, true);
  let o = head;
  tiles.forEach((t, i) => {
    [t.x, t.y, t.w, t.h].forEach((n, k) => view.setUint32(8 + i * 16 + k * 4, n, true));
    out.set(t.data, o);
    o += t.data.byteLength;
  });
  return out;
}

/** Pastes a tile file's tiles into `img`; throws on a damaged file (then the snapshot is unreadable, not wrong). */
export function applyTiles(img: RgbaImage, bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== MAGIC) throw new Error('Not a recovery tile file.');
  const count = view.getUint32(4, true);
  let o = 8 + count * 16;
  if (o > bytes.byteLength) throw new Error('Recovery tile file is damaged.');
  for (let i = 0; i < count; i++) {
    const [x, y, w, h] = [0, 1, 2, 3].map((k) => view.getUint32(8 + i * 16 + k * 4, true)) as [number, number, number, number];
    if (x + w > img.width || y + h > img.height || o + w * h * 4 > bytes.byteLength) throw new Error('Recovery tile file is damaged.');
    for (let r = 0; r < h; r++) img.data.set(bytes.subarray(o + r * w * 4, o + (r + 1) * w * 4), ((y + r) * img.width + x) * 4);
    o += w * h * 4;
  }
}
