/**
 * A small, bounds-checked EXIF (TIFF IFD) reader and the one patch export needs:
 * resetting Orientation to 1, because exported pixels are already upright.
 */

/** A decoded EXIF value: text, one number, or several numbers (rationals as quotients). */
export type ExifValue = string | number | number[];

/** Tag ids of the EXIF fields Onirique reads or tests, by their EXIF names. */
export const ExifTag = {
  ImageDescription: 0x010e,
  Make: 0x010f,
  Model: 0x0110,
  Orientation: 0x0112,
  Software: 0x0131,
  DateTime: 0x0132,
  Artist: 0x013b,
  Copyright: 0x8298,
  ExifIfd: 0x8769,
  GpsIfd: 0x8825,
  ExposureTime: 0x829a,
  FNumber: 0x829d,
  Iso: 0x8827,
  DateTimeOriginal: 0x9003,
  FocalLength: 0x920a,
} as const;

/** Tags of IFD0 and of the Exif sub-IFD, by tag id. */
export interface ExifTags {
  ifd0: Map<number, ExifValue>;
  exif: Map<number, ExifValue>;
}

const EXIF_PREFIX = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00];
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };
const MAX_ENTRIES = 1000;

/** The TIFF stream inside an EXIF blob (drops the "Exif\0\0" prefix JPEG APP1 and libvips use). */
export function tiffPart(blob: Uint8Array): Uint8Array {
  return EXIF_PREFIX.every((x, i) => blob[i] === x) ? blob.subarray(6) : blob;
}

interface Tiff {
  view: DataView;
  little: boolean;
}

function openTiff(blob: Uint8Array): Tiff | null {
  const t = tiffPart(blob);
  if (t.length < 8) return null;
  const little = t[0] === 0x49 && t[1] === 0x49;
  if (!little && !(t[0] === 0x4d && t[1] === 0x4d)) return null;
  const view = new DataView(t.buffer, t.byteOffset, t.byteLength);
  if (view.getUint16(2, little) !== 42) return null;
  return { view, little };
}

function readValue(t: Tiff, entry: number): ExifValue | null {
  const { view, little } = t;
  const type = view.getUint16(entry + 2, little);
  const count = view.getUint32(entry + 4, little);
  const size = TYPE_SIZE[type];
  if (!size || count > 65536) return null;
  const bytes = size * count;
  const off = bytes <= 4 ? entry + 8 : view.getUint32(entry + 8, little);
  if (off + bytes > view.byteLength) return null;
  if (type === 2) {
    const raw = new Uint8Array(view.buffer, view.byteOffset + off, bytes);
    const z = raw.indexOf(0);
    return new TextDecoder('latin1').decode(z >= 0 ? raw.subarray(0, z) : raw);
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = off + i * size;
    if (type === 3) out.push(view.getUint16(p, little));
    else if (type === 4) out.push(view.getUint32(p, little));
    else if (type === 9) out.push(view.getInt32(p, little));
    else if (type === 8) out.push(view.getInt16(p, little));
    else if (type === 5) out.push(view.getUint32(p, little) / (view.getUint32(p + 4, little) || 1));
    else if (type === 10) out.push(view.getInt32(p, little) / (view.getInt32(p + 4, little) || 1));
    else if (type === 11) out.push(view.getFloat32(p, little));
    else if (type === 12) out.push(view.getFloat64(p, little));
    else out.push(view.getUint8(p));
  }
  return out.length === 1 ? out[0]! : out;
}

function readIfd(t: Tiff, offset: number): Map<number, ExifValue> {
  const tags = new Map<number, ExifValue>();
  if (offset < 8 || offset + 2 > t.view.byteLength) return tags;
  const n = Math.min(t.view.getUint16(offset, t.little), MAX_ENTRIES);
  for (let i = 0; i < n; i++) {
    const entry = offset + 2 + i * 12;
    if (entry + 12 > t.view.byteLength) break;
    const value = readValue(t, entry);
    if (value !== null) tags.set(t.view.getUint16(entry, t.little), value);
  }
  return tags;
}

/** Reads IFD0 and the Exif sub-IFD; empty maps when the blob is not EXIF. */
export function readExif(blob: Uint8Array): ExifTags {
  const t = openTiff(blob);
  if (!t) return { ifd0: new Map(), exif: new Map() };
  const ifd0 = readIfd(t, t.view.getUint32(4, t.little));
  const exifOffset = ifd0.get(ExifTag.ExifIfd);
  const exif = typeof exifOffset === 'number' ? readIfd(t, exifOffset) : new Map<number, ExifValue>();
  return { ifd0, exif };
}

/**
 * Returns a copy of the blob whose IFD0 Orientation (when present) is `value`.
 * Export writes upright pixels, so a copied Orientation 6 would rotate them a second time.
 */
export function withExifOrientation(blob: Uint8Array, value: number): Uint8Array {
  const copy = new Uint8Array(blob);
  const t = openTiff(copy);
  if (!t) return copy;
  const ifd = t.view.getUint32(4, t.little);
  if (ifd < 8 || ifd + 2 > t.view.byteLength) return copy;
  const n = Math.min(t.view.getUint16(ifd, t.little), MAX_ENTRIES);
  for (let i = 0; i < n; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > t.view.byteLength) break;
    if (t.view.getUint16(entry, t.little) === ExifTag.Orientation && t.view.getUint16(entry + 2, t.little) === 3) {
      t.view.setUint16(entry + 8, value, t.little);
    }
  }
  return copy;
}
