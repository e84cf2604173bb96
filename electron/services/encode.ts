/** Encoding RGBA pixels to the export formats with sharp, parameters and optional EXIF carried as metadata. */
import sharp, { type Sharp } from 'sharp';
import type { ExportFormat, RgbaImage } from '../ipc-contract';
import { tiffPart } from './exif';
import { addPngText, insertPngChunks, pngChunk } from './png-text';
import { buildXmp } from './xmp';

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

/** Encodes upright RGBA to a file's bytes. */
export async function encodeImage(image: RgbaImage, opts: Partial<EncodeOptions> = {}): Promise<Buffer> {
  const o = { ...defaultEncodeOptions, ...opts };
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
      return s.flatten({ background: '#ffffff' }).jpeg({ quality: o.quality, mozjpeg: true }).toBuffer();
    case 'webp':
      return s.webp({ quality: o.quality }).toBuffer();
    case 'avif':
      return s.avif({ quality: o.quality }).toBuffer();
    case 'tiff':
      return s.tiff({ compression: 'lzw' }).toBuffer();
  }
}
