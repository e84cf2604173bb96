/** PNG text chunks: write parameters into a PNG and read them back, so results are reproducible. */
import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Largest inflated text accepted when reading (a zTXt/iTXt can be a zip bomb too). */
const MAX_TEXT_BYTES = 1 << 20;

/** One PNG chunk with its length and CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function asBuffer(png: Uint8Array): Buffer {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('Not a PNG stream.');
  return buf;
}

/** Inserts ready-made chunks right after IHDR (where ancillary chunks such as eXIf and iTXt may go). */
export function insertPngChunks(png: Uint8Array, chunks: Buffer[]): Buffer {
  const buf = asBuffer(png);
  const ihdrEnd = 8 + 8 + buf.readUInt32BE(8) + 4;
  return Buffer.concat([buf.subarray(0, ihdrEnd), ...chunks, buf.subarray(ihdrEnd)]);
}

/** A valid PNG keyword: 1-79 printable Latin-1 characters, no leading, trailing or double spaces. */
export function pngKeyword(k: string): string {
  const key = k.replace(/[^\x20-\x7e\xa1-\xff]/g, '_').replace(/ {2,}/g, ' ').trim().slice(0, 79).trim();
  return key || 'Key';
}

/** Inserts one iTXt chunk per entry (UTF-8 text) right after IHDR. */
export function addPngText(png: Uint8Array, entries: Record<string, string>): Buffer {
  const chunks = Object.entries(entries).map(([k, v]) =>
    // iTXt: keyword, 0, compression flag 0, method 0, empty language tag, 0, empty translated keyword, 0, text.
    pngChunk('iTXt', Buffer.concat([Buffer.from(pngKeyword(k), 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(v, 'utf8')])),
  );
  return insertPngChunks(png, chunks);
}

function inflateText(data: Buffer): Buffer | null {
  try {
    return inflateSync(data, { maxOutputLength: MAX_TEXT_BYTES });
  } catch {
    return null;
  }
}

/** Reads tEXt, zTXt and iTXt (plain or compressed) chunks from a PNG; damaged chunks are skipped. */
export function readPngText(png: Uint8Array): Record<string, string> {
  const buf = asBuffer(png);
  const out: Record<string, string> = {};
  let p = 8;
  while (p + 12 <= buf.length) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    if (p + 12 + len > buf.length) break;
    const data = buf.subarray(p + 8, p + 8 + len);
    const z = data.indexOf(0);
    if (z > 0 && type === 'tEXt') {
      out[data.toString('latin1', 0, z)] = data.toString('latin1', z + 1);
    } else if (z > 0 && type === 'zTXt') {
      const text = inflateText(data.subarray(z + 2));
      if (text) out[data.toString('latin1', 0, z)] = text.toString('latin1');
    } else if (z > 0 && type === 'iTXt') {
      const key = data.toString('latin1', 0, z);
      const compressed = data[z + 1] === 1;
      const lang = data.indexOf(0, z + 3);
      const trans = lang < 0 ? -1 : data.indexOf(0, lang + 1);
      if (trans >= 0) {
        const body = data.subarray(trans + 1);
        const text = compressed ? inflateText(body) : body;
        if (text) out[key] = text.toString('utf8');
      }
    }
    if (type === 'IEND') break;
    p += 12 + len;
  }
  return out;
}
