/**
 * The first TIFF directory (IFD) read by hand, so a file whose strips or tiles do not fit in it is
 * refused before libvips decodes it: libtiff turns missing data into black rows with a warning only,
 * which let a 222-byte file declaring 30000 x 3000 become a 90 MP black image.
 */

/** What the first IFD says about the image and where its data lies. */
export interface TiffLayout {
  width: number;
  height: number;
  /** 1 = none; anything else is a compressed encoding. */
  compression: number;
  /** Offsets and byte counts of the strips (or tiles), in file order. */
  offsets: number[];
  counts: number[];
  /** How many strips or tiles the size and RowsPerStrip / TileWidth x TileLength call for. */
  expectedBlocks: number;
  /** Uncompressed bytes of one full strip or tile (the last strip may be shorter). */
  blockBytes: number;
  /** Uncompressed bytes of the last strip of each plane (tiles are always full). */
  lastBlockBytes: number;
  /** Strips or tiles per colour plane (all of them unless PlanarConfiguration is 2). */
  blocksPerPlane: number;
}

// Sizes of the TIFF field types; only the integer ones (BYTE, SHORT, LONG, LONG8) are read.
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
const INTEGER_TYPES = new Set([1, 3, 4, 16]);
const MAX_ENTRIES = 4096;

/** An entry's integer values; [] for other types; 'outside' when its values lie past the end of the file. */
function entryValues(v: DataView, p: number, le: boolean, big: boolean): number[] | 'outside' {
  const type = v.getUint16(p + 2, le);
  const count = big ? Number(v.getBigUint64(p + 4, le)) : v.getUint32(p + 4, le);
  const size = TYPE_SIZES[type];
  if (!size) return [];
  const inline = big ? 8 : 4;
  const valueAt = p + (big ? 12 : 8);
  const start = size * count <= inline ? valueAt : big ? Number(v.getBigUint64(valueAt, le)) : v.getUint32(valueAt, le);
  if (start + size * count > v.byteLength) return 'outside';
  if (!INTEGER_TYPES.has(type) || count > 1e7) return [];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const q = start + i * size;
    if (size === 1) out.push(v.getUint8(q));
    else if (size === 2) out.push(v.getUint16(q, le));
    else if (size === 4) out.push(v.getUint32(q, le));
    else out.push(Number(v.getBigUint64(q, le)));
  }
  return out;
}

/** The tags of the first IFD; a string saying what is wrong when the header, the directory or a field is cut off. */
function readFirstIfd(b: Uint8Array): Map<number, number[]> | string {
  const cut = 'its header or image directory is cut off';
  if (b.length < 16) return cut;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const big = v.getUint16(2, le) === 43;
  const ifd = big ? Number(v.getBigUint64(8, le)) : v.getUint32(4, le);
  const headLen = big ? 8 : 2;
  const entryLen = big ? 20 : 12;
  if (ifd < 8 || ifd + headLen > b.length) return cut;
  const n = big ? Number(v.getBigUint64(ifd, le)) : v.getUint16(ifd, le);
  if (n === 0 || n > MAX_ENTRIES || ifd + headLen + n * entryLen > b.length) return cut;
  const tags = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const p = ifd + headLen + i * entryLen;
    const values = entryValues(v, p, le, big);
    // A field (colour map, JPEG tables, strip table) past the end means the file was cut.
    if (values === 'outside') return 'the file ends before the image does';
    tags.set(v.getUint16(p, le), values);
  }
  return tags;
}

/** The layout of the first image of a TIFF; a string saying what is wrong when it is not readable. */
export function readTiffLayout(b: Uint8Array): TiffLayout | string {
  const tags = readFirstIfd(b);
  if (typeof tags === 'string') return tags;
  const one = (tag: number, fallback?: number): number | undefined => tags.get(tag)?.[0] ?? fallback;
  const width = one(256);
  const height = one(257);
  if (width === undefined || height === undefined) return 'its image directory has no image size';
  const tiled = tags.has(322) || tags.has(324);
  const offsets = tags.get(tiled ? 324 : 273);
  const counts = tags.get(tiled ? 325 : 279);
  if (!offsets?.length || !counts?.length) return `its ${tiled ? 'tile' : 'strip'} table is missing`;
  const samples = one(277, 1)!;
  const bits = (tags.get(258) ?? [1]).reduce((s, x) => s + x, 0) || 1;
  const planes = one(284, 1) === 2 ? samples : 1;
  const bitsPerPixel = planes > 1 ? bits / samples : bits;
  let expectedBlocks: number;
  let blockBytes: number;
  let lastBlockBytes: number;
  if (tiled) {
    const tw = one(322, 0)!;
    const th = one(323, 0)!;
    if (tw <= 0 || th <= 0) return 'its tile size is zero';
    expectedBlocks = Math.ceil(width / tw) * Math.ceil(height / th) * planes;
    blockBytes = lastBlockBytes = Math.ceil((tw * bitsPerPixel) / 8) * th;
  } else {
    const rows = Math.min(one(278, height)! || height, height);
    const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
    expectedBlocks = Math.ceil(height / rows) * planes;
    blockBytes = rowBytes * rows;
    lastBlockBytes = rowBytes * (height - rows * (Math.ceil(height / rows) - 1));
  }
  return { width, height, compression: one(259, 1)!, offsets, counts, expectedBlocks, blockBytes, lastBlockBytes, blocksPerPlane: expectedBlocks / planes };
}

/** Null when every strip or tile of the first image lies inside the file with enough bytes; otherwise why not. */
export function tiffDataProblem(b: Uint8Array): string | null {
  const layout = readTiffLayout(b);
  if (typeof layout === 'string') return layout;
  const { offsets, counts, expectedBlocks, compression, blockBytes, lastBlockBytes, blocksPerPlane } = layout;
  if (offsets.length !== counts.length || offsets.length < expectedBlocks) {
    return `it lists ${offsets.length} data blocks where its size needs ${expectedBlocks}`;
  }
  for (let i = 0; i < expectedBlocks; i++) {
    if (counts[i]! === 0 || offsets[i]! + counts[i]! > b.length) return 'the file ends before the image does';
    // Uncompressed data has an exact size; the last strip of a plane may be shorter.
    const needed = (i + 1) % blocksPerPlane === 0 ? lastBlockBytes : blockBytes;
    if (compression === 1 && counts[i]! < needed) {
      return 'the file ends before the image does';
    }
  }
  return null;
}
