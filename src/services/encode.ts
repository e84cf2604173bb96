/** Encoding RGBA pixels to the export formats with sharp, parameters and optional EXIF carried as metadata. */
import sharp, { type Sharp } from 'sharp';
import type { ExportFormat, RgbaImage } from '../host/host-contract';
import { tiffPart } from './exif';
import { addPngText, insertPngChunks, pngChunk, readPngText } from './png-text';
import { buildXmp, readXmpParameters } from './xmp';

/** Encoder options, with defaults beside them. */
export interface EncodeOptions {
  format: ExportFormat;
  quality: number;
  metadata: Record<string, string>;
  /** EXIF block to embed (from the source file, Orientation already 1); null for none. TIFF ignores it. */
  exif: Uint8Array | null;
}

/** Defaults: lossless PNG, no metadata, no EXIF. */
export const defaultEncodeOptions: EncodeOptions = { format: 'png', quality: 90, metadata: {}, exif: null };

/** File extension for each export format. */
export const formatExtension: Record<ExportFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', avif: 'avif', tiff: 'tif' };

/** EXIF ImageDescription is ASCII: accents are folded, other characters replaced (the XMP copy keeps them). */
export function asciiDescription(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

/** True when every pixel is fully opaque (then JPEG can drop alpha instead of compositing: 30% faster). */
export function isOpaque(image: RgbaImage): boolean {
  const d = image.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return false;
  return true;
}

/**
 * Starts the pipeline. With an EXIF block, the pixels first go through a fast uncompressed PNG
 * carrying it in an eXIf chunk: sharp cannot attach a raw EXIF blob, but keeps one it loaded.
 */
async function source(raw: Buffer, image: RgbaImage, exif: Uint8Array | null): Promise<Sharp> {
  const pipeline = sharp(raw, { raw: { width: image.width, height: image.height, channels: 4 } });
  if (!exif) return pipeline;
  const png = await pipeline.png({ compressionLevel: 0 }).toBuffer();
  return sharp(insertPngChunks(png, [pngChunk('eXIf', tiffPart(exif))]), { limitInputPixels: false }).keepExif();
}

/** Encodes upright RGBA to a file's bytes; a copied EXIF block libvips cannot parse is dropped, not fatal. */
export async function encodeImage(image: RgbaImage, opts: Partial<EncodeOptions> = {}): Promise<Buffer> {
  if (!opts.exif) return encodeWith(image, { ...defaultEncodeOptions, ...opts });
  try {
    return await encodeWith(image, { ...defaultEncodeOptions, ...opts });
  } catch {
    return encodeWith(image, { ...defaultEncodeOptions, ...opts, exif: null });
  }
}

async function encodeWith(image: RgbaImage, o: EncodeOptions): Promise<Buffer> {
  const raw = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  let s = await source(raw, image, o.exif);
  const hasParams = Object.keys(o.metadata).length > 0;
  if (o.format !== 'png' && hasParams) {
    s = s.withExifMerge({ IFD0: { ImageDescription: asciiDescription(o.metadata), Software: 'Onirique' } }).withXmp(buildXmp(o.metadata));
  }
  switch (o.format) {
    case 'png': {
      const png = await s.png({ compressionLevel: 6 }).toBuffer();
      return hasParams ? addPngText(png, { Software: 'Onirique', ...o.metadata }) : png;
    }
    case 'jpeg':
      // libjpeg-turbo, not mozjpeg: mozjpeg saves ~15% of bytes but took 5.7 s instead of 0.8 s on 16 MP here.
      return (isOpaque(image) ? s.removeAlpha() : s.flatten({ background: '#ffffff' }))
        .jpeg({ quality: o.quality, chromaSubsampling: o.quality >= 95 ? '4:4:4' : '4:2:0' })
        .toBuffer();
    case 'webp':
      return s.webp({ quality: o.quality }).toBuffer();
    case 'avif':
      return s.avif({ quality: o.quality }).toBuffer();
    case 'tiff':
      return s.tiff({ compression: 'lzw' }).toBuffer();
  }
}

/** MIME type of each export format (the browser download's Content-Type). */
export const formatMime: Record<ExportFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif', tiff: 'image/tiff' };

/** Keeps the Onirique parameters (`onirique:` keys) of what a file carries; null when there are none. */
function oniriqueOnly(all: Record<string, string> | null): Record<string, string> | null {
  if (!all) return null;
  const out = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('onirique:')));
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * The parameters an Onirique export embedded: PNG text chunks, else the XMP packet (JPEG, WebP,
 * AVIF, TIFF). Null when the file carries none or cannot be read (never fatal: it is a bonus).
 */
export async function readImageParameters(bytes: Uint8Array): Promise<Record<string, string> | null> {
  try {
    const isPng = bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
    if (isPng) {
      const text = oniriqueOnly(readPngText(bytes));
      if (text) return text;
    }
    const { xmp } = await sharp(bytes, { limitInputPixels: false }).metadata();
    return xmp ? oniriqueOnly(readXmpParameters(xmp)) : null;
  } catch {
    return null;
  }
}
