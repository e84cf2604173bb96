/**
 * Recognising image files by content and reading their pixel size from the header alone,
 * so a decompression bomb is refused before any decoder allocates for it.
 */

/** Formats recognised by their first bytes. */
export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'heif' | 'bmp';

const at = (b: Uint8Array, i: number, ...xs: number[]): boolean => xs.every((x, k) => b[i + k] === x);
const ascii = (b: Uint8Array, i: number, s: string): boolean => [...s].every((ch, k) => b[i + k] === ch.charCodeAt(0));

/** Identifies an image container from its magic bytes; null when it is not an image we know. */
export function sniffFormat(b: Uint8Array): SniffedFormat | null {
  if (b.length < 12) return null;
  if (at(b, 0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(b, 0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'gif';
  if (at(b, 0, 0x49, 0x49, 0x2a, 0x00) || at(b, 0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (ascii(b, 0, 'BM') && b.length >= 26) return 'bmp';
  if (ascii(b, 4, 'ftyp')) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heif';
  }
  return null;
}

/** True for HEIF files whose major brand says HEVC coding (phone HEIC photos). */
export function isHevcBrand(b: Uint8Array): boolean {
  if (b.length < 12 || !ascii(b, 4, 'ftyp')) return false;
  return ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'].includes(String.fromCharCode(...b.subarray(8, 12)));
}

// A comment may not span a `-->` (tempered token), or the alternation backtracks exponentially on many comments.
const SVG_START = /^(?:<\?xml[^>]*>\s*)?(?:(?:<!--(?:(?!-->)[\s\S])*-->|<!DOCTYPE\s+svg[^>[\]]*(?:\[[^\]]*\])?\s*>)\s*)*<svg[\s>]/i;

/** Names well-known non-image or unsupported files, so the refusal can say what the file is. */
export function describeUnsupported(b: Uint8Array): string | null {
  if (ascii(b, 0, '%PDF-')) return 'a PDF document';
  if (ascii(b, 0, '8BPS')) return 'a Photoshop (PSD) document';
  if (at(b, 0, 0x00, 0x00, 0x01, 0x00) && b.length > 6 && b[4]! > 0) return 'a Windows icon (ICO)';
  if (ascii(b, 0, 'icns')) return 'a macOS icon (ICNS)';
  if (at(b, 0, 0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20) || at(b, 0, 0xff, 0x4f, 0xff, 0x51)) return 'a JPEG 2000 image';
  if (at(b, 0, 0xff, 0x0a) || at(b, 0, 0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20)) return 'a JPEG XL image';
  if (ascii(b, 0, 'PK\x03\x04')) return 'a ZIP archive (or an office document)';
  if (at(b, 0, 0x1f, 0x8b)) return 'a gzip archive';
  if (ascii(b, 0, 'ID3') || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0 && b[1] !== 0xd8)) return 'an audio file';
  if (ascii(b, 4, 'ftyp')) return 'a video or an unsupported ISO media file';
  // Editors put a declaration, comments and a DOCTYPE (with an internal subset) before <svg>, sometimes kilobytes of them.
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 8192)).trimStart();
  if (SVG_START.test(head)) return 'an SVG drawing (vector images are not opened, for safety)';
  if (looksLikeText(b)) return 'a text file';
  return null;
}

/** True when the first bytes are printable text (UTF-8 or ASCII), i.e. not a binary image. */
export function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 1024);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 0) return false;
    if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c !== 0x7f)) printable++;
  }
  return printable / n > 0.97;
}

/** Pixel size as stored in the header (before EXIF orientation). */
export interface HeaderSize {
  width: number;
  height: number;
}

function pngSize(b: Uint8Array): HeaderSize | null {
  if (b.length < 24 || !ascii(b, 12, 'IHDR')) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function gifSize(b: Uint8Array): HeaderSize | null {
  if (b.length < 10) return null;
  return { width: b[6]! | (b[7]! << 8), height: b[8]! | (b[9]! << 8) };
}

function bmpSize(b: Uint8Array): HeaderSize | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 26) return null;
  // Negative height means a top-down bitmap.
  return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
}

function jpegSize(b: Uint8Array): HeaderSize | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return null;
    const marker = b[p + 1]!;
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      p += 2;
      continue;
    }
    const len = v.getUint16(p + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (p + 9 > b.length) return null;
      return { height: v.getUint16(p + 5), width: v.getUint16(p + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    p += 2 + len;
  }
  return null;
}

function webpSize(b: Uint8Array): HeaderSize | null {
  if (b.length < 30) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (ascii(b, 12, 'VP8 ')) return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
  if (ascii(b, 12, 'VP8L')) {
    const bits = v.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(b, 12, 'VP8X')) {
    const w = 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16));
    const h = 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16));
    return { width: w, height: h };
  }
  return null;
}

/**
 * Reads the pixel size from the header of formats whose header is trivial to parse;
 * null for containers (TIFF, AVIF, HEIF) where libvips' header reader is used instead.
 */
export function readHeaderSize(b: Uint8Array, format: SniffedFormat): HeaderSize | null {
  switch (format) {
    case 'png':
      return pngSize(b);
    case 'gif':
      return gifSize(b);
    case 'bmp':
      return bmpSize(b);
    case 'jpeg':
      return jpegSize(b);
    case 'webp':
      return webpSize(b);
    default:
      return null;
  }
}
