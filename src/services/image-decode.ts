/** Opening images: content sniffing, size limits before decoding, EXIF orientation, sRGB, 8-bit. */
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { MAX_PIXELS, MAX_SIDE, type OpenedDocument } from '../host/host-contract';
import { withExifOrientation } from './exif';
import { describeUnsupported, isHevcBrand, readHeaderSize, sniffFormat, type SniffedFormat } from './image-header';
import { readTiffLayout, tiffDataProblem } from './tiff-header';

export { sniffFormat, type SniffedFormat } from './image-header';

/** An error whose message is fit to show the user as is. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

/** Options of decodeImage, with defaults beside them. */
export interface DecodeOptions {
  maxPixels: number;
  maxSide: number;
}

/** Default decode limits. */
export const defaultDecodeOptions: DecodeOptions = { maxPixels: MAX_PIXELS, maxSide: MAX_SIDE };

/** The formats the app opens, for messages and the open dialog. */
export const OPENABLE_FORMATS_TEXT = 'JPEG, PNG, WebP, AVIF, TIFF, GIF or HEIF';

/** Whether this build's libvips decodes HEVC-coded HEIF (HEIC from phones); the npm prebuilt only has AV1. */
export function heicSupported(): boolean {
  return sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;
}

/** Whether this build's libvips reads BMP (only through ImageMagick, absent from the npm prebuilt). */
export function bmpSupported(): boolean {
  return sharp.format.magick.input.buffer;
}

const heicMessage = (name: string) =>
  `“${name}” is a HEIC/HEIF photo compressed with HEVC, which this build cannot decode (patent-encumbered codec). ` +
  'Export it as JPEG from the Photos app or the phone, then open that.';

function explainSharpError(e: unknown, name: string, format: SniffedFormat): UserFacingError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/premature end|truncated|unexpected end|end of (file|stream)|not enough data|short read|incomplete/i.test(msg)) {
    return new UserFacingError(`“${name}” is truncated or damaged: the file ends before the image does.`);
  }
  if (format === 'heif' && /hevc|codec|unsupported/i.test(msg)) return new UserFacingError(heicMessage(name));
  if (/unsupported image format/i.test(msg)) {
    return new UserFacingError(`“${name}” looks like ${format.toUpperCase()} but its content is not readable as an image.`);
  }
  return new UserFacingError(`“${name}” is damaged and could not be decoded (${msg.split('\n')[0]!.replace(/[:\s]+$/, '')}).`);
}

/** Throws a message naming the size when an image is over the limits. */
export function checkImageSize(name: string, width: number, height: number, opts: Partial<DecodeOptions> = {}): void {
  const { maxPixels, maxSide } = { ...defaultDecodeOptions, ...opts };
  if (width <= 0 || height <= 0) throw new UserFacingError(`“${name}” has no readable image size (${width} x ${height}).`);
  if (width > maxSide || height > maxSide || width * height > maxPixels) {
    const mp = (width * height) / 1e6;
    throw new UserFacingError(
      `“${name}” is ${width.toLocaleString('en')} x ${height.toLocaleString('en')} pixels (${mp.toFixed(mp < 10 ? 1 : 0)} megapixels); ` +
        `Onirique opens images up to ${(maxPixels / 1e6).toFixed(0)} megapixels and ${maxSide.toLocaleString('en')} pixels a side. ` +
        'Reduce it in another tool first.',
    );
  }
}

/** Checks what the file is, refusing non-images and bombs from the header only; returns the format. */
export function preflight(bytes: Uint8Array, name: string, opts: Partial<DecodeOptions> = {}): SniffedFormat {
  if (bytes.length === 0) throw new UserFacingError(`“${name}” is empty (0 bytes).`);
  const format = sniffFormat(bytes);
  if (!format) {
    const what = describeUnsupported(bytes);
    throw new UserFacingError(
      what
        ? `“${name}” is ${what}, not an image Onirique can open (${OPENABLE_FORMATS_TEXT}).`
        : `“${name}” is not an image Onirique can open: its content is not ${OPENABLE_FORMATS_TEXT}.`,
    );
  }
  if (format === 'heif' && isHevcBrand(bytes) && !heicSupported()) throw new UserFacingError(heicMessage(name));
  if (format === 'bmp' && !bmpSupported()) {
    throw new UserFacingError(`“${name}” is a BMP image, which this build cannot decode. Save it as PNG in another tool, then open that.`);
  }
  const tiff = format === 'tiff' ? readTiffLayout(bytes) : null;
  const header = tiff && typeof tiff !== 'string' ? tiff : readHeaderSize(bytes, format);
  if (header) checkImageSize(name, header.width, header.height, opts);
  // libtiff fills strips missing from the file with black and only warns, so check they are all there.
  const damage = format === 'tiff' ? tiffDataProblem(bytes) : null;
  if (damage) throw new UserFacingError(`“${name}” is truncated or damaged: ${damage}.`);
  return format;
}

/** The checks every decode starts with: format sniffed, header read, codec available, size within the cap. */
async function readChecked(bytes: Uint8Array, name: string, opts: Partial<DecodeOptions>) {
  const format = preflight(bytes, name, opts);
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let meta: Metadata;
  try {
    // Header only; the limit is checked below with a message that names the size.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw explainSharpError(e, name, format);
  }
  if (format === 'heif' && meta.compression === 'hevc' && !heicSupported()) throw new UserFacingError(heicMessage(name));
  const w = meta.width ?? 0;
  const h = meta.pageHeight ?? meta.height ?? 0;
  checkImageSize(name, w, h, opts);
  return { format, input, meta, w, h };
}

/** The document a decode yields, once its pixels are checked to be packed RGBA. */
function opened(name: string, format: OpenedDocument['format'], w: number, h: number, meta: Metadata, data: Buffer, info: OutputInfo): Omit<OpenedDocument, 'docId'> {
  if (info.channels !== 4 || data.length !== info.width * info.height * 4) {
    throw new UserFacingError(`“${name}” decoded to an unexpected pixel layout (${info.channels} channels).`);
  }
  return {
    name,
    format,
    storedWidth: w,
    storedHeight: h,
    orientation: meta.orientation ?? 1,
    image: { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) },
  };
}

/** Decodes file bytes to upright 8-bit sRGB RGBA, refusing bombs before any pixel is decoded. */
export async function decodeImage(
  bytes: Uint8Array,
  name: string,
  opts: Partial<DecodeOptions> = {},
): Promise<Omit<OpenedDocument, 'docId'>> {
  const { maxPixels } = { ...defaultDecodeOptions, ...opts };
  const { format, input, meta, w, h } = await readChecked(bytes, name, opts);
  try {
    // 16-bit sources come out as the top 8 bits; ICC-tagged sources are converted to sRGB by libvips.
    const { data, info } = await sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated', pages: 1, page: 0 })
      .autoOrient()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return opened(name, format, w, h, meta, data, info);
  } catch (e) {
    if (e instanceof UserFacingError) throw e;
    throw explainSharpError(e, name, format);
  }
}

/** Options of decodePreview, with defaults beside them. */
export interface PreviewOptions extends DecodeOptions {
  /** Longest side of the preview, in pixels. */
  maxPreviewSide: number;
}

/** Default preview: about a full-HD screen, which JPEG DCT scaling reaches in one cheap step from 16-24 MP. */
export const defaultPreviewOptions: PreviewOptions = { ...defaultDecodeOptions, maxPreviewSide: 1600 };

/**
 * Decodes a reduced, upright preview that fits in `maxPreviewSide`, fast: libvips shrinks JPEG
 * (DCT scaling) and WebP on load, so a 16 MP photo costs a fraction of a full decode. A truncated
 * file still gives what is readable (the full decode reports the damage). Returns the full
 * upright size beside the preview.
 */
export async function decodePreview(
  bytes: Uint8Array,
  name: string,
  opts: Partial<PreviewOptions> = {},
): Promise<Omit<OpenedDocument, 'docId'> & { fullSize: { width: number; height: number } }> {
  const { maxPixels, maxPreviewSide } = { ...defaultPreviewOptions, ...opts };
  const { format, input, meta, w, h } = await readChecked(bytes, name, opts);
  // EXIF orientations 5-8 swap the axes.
  const swap = (meta.orientation ?? 1) >= 5;
  const full = swap ? { width: h, height: w } : { width: w, height: h };
  try {
    const { data, info } = await sharp(input, { limitInputPixels: maxPixels, failOn: 'none', pages: 1, page: 0 })
      .autoOrient()
      .resize({ width: maxPreviewSide, height: maxPreviewSide, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { ...opened(name, format, w, h, meta, data, info), fullSize: full };
  } catch (e) {
    if (e instanceof UserFacingError) throw e;
    throw explainSharpError(e, name, format);
  }
}

/**
 * The EXIF block of a source file ready to copy into an export: Orientation reset to 1
 * (exported pixels are upright). Null when the file has none or cannot be read.
 */
export async function readCopyableExif(bytes: Uint8Array): Promise<Uint8Array | null> {
  try {
    const meta = await sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { limitInputPixels: false }).metadata();
    return meta.exif && meta.exif.length > 8 ? withExifOrientation(meta.exif, 1) : null;
  } catch {
    return null;
  }
}
