/**
 * A 16-bit greyscale PNG encoder with iTXt parameters, for the heat-map export. Pure apart from
 * the platform's CompressionStream (browsers and Node 18+), so the renderer builds the file and
 * main only checks and writes it: the web host can offer the same download.
 */

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, as PNG uses) of the bytes. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid PNG keyword: 1-79 printable Latin-1 characters, single spaces, none at the ends. */
export function pngKeyword(k: string): string {
  const key = k.replace(/[^\x20-\x7e\xa1-\xff]/g, '_').replace(/ {2,}/g, ' ').trim().slice(0, 79).trim();
  return key || 'Key';
}

/** One uncompressed iTXt chunk body: keyword, 0, flag 0, method 0, no language, 0, no translation, 0, UTF-8 text. */
function itxt(key: string, value: string): Uint8Array {
  const k = pngKeyword(key);
  const text = new TextEncoder().encode(value);
  const out = new Uint8Array(k.length + 5 + text.length);
  for (let i = 0; i < k.length; i++) out[i] = k.charCodeAt(i);
  out.set(text, k.length + 5);
  return chunk('iTXt', out);
}

/** zlib (RFC 1950) stream of the bytes, via the platform's CompressionStream('deflate'). */
export async function zlibDeflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Scanlines with PNG filter 1 (Sub) on big-endian samples: a smooth heat map then deflates to a
 * fraction of its raw size (the CAM is an upsampled 7×7 grid, so neighbours are nearly equal).
 */
export function filteredScanlines(samples: Uint16Array, width: number, height: number): Uint8Array {
  const stride = width * 2 + 1;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    out[row] = 1;
    let prevHi = 0;
    let prevLo = 0;
    for (let x = 0; x < width; x++) {
      const v = samples[y * width + x]!;
      const hi = v >>> 8;
      const lo = v & 0xff;
      out[row + 1 + x * 2] = (hi - prevHi) & 0xff;
      out[row + 2 + x * 2] = (lo - prevLo) & 0xff;
      prevHi = hi;
      prevLo = lo;
    }
  }
  return out;
}

/** PNG bytes of 16-bit grey samples (row-major, width×height) with one iTXt chunk per text entry. */
export async function encodeGray16Png(samples: Uint16Array, width: number, height: number, text: Record<string, string> = {}): Promise<Uint8Array> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || samples.length !== width * height) {
    throw new Error('png16: the samples do not match the size');
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 16; // bit depth
  ihdr[9] = 0; // greyscale; compression, filter and interlace methods stay 0
  const idat = await zlibDeflate(filteredScanlines(samples, width, height));
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...Object.entries(text).map(([k, val]) => itxt(k, val)),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
