/** Reading and writing image files for the CLI, with the same decoder and atomic writer as the app. */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import sharp from 'sharp';
import type { ExportFormat, RgbaImage } from '../host/host-contract';
import { writeFileAtomic } from '../services/atomic-write';
import { encodeImage } from '../services/encode';
import { decodeImage, type DecodeOptions } from '../services/image-decode';

/** Reads a file the user named, with a one-line reason naming it when that is not possible. */
async function readUserFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`, { cause: e });
    if (code === 'EISDIR') throw new Error(`${path}: is a folder, not an image file`, { cause: e });
    throw new Error(`${path}: cannot read (${code ?? String(e)})`, { cause: e });
  }
}

/** Decodes an image file to upright RGBA (EXIF orientation applied), with the app's checks and limits. */
export async function readImageFile(path: string, opts: Partial<DecodeOptions> = {}): Promise<RgbaImage> {
  return (await decodeImage(await readUserFile(path), basename(path), opts)).image;
}

/** Throws, naming the file, unless `path` exists and is a regular file (checked before any long work). */
export async function checkInputFile(path: string): Promise<void> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(e.code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${e.code ?? String(e)})`, { cause: e });
  });
  if (!st.isFile()) throw new Error(`${path}: is a folder, not an image file`);
}

/**
 * Reads a mask or guide image as 8-bit grey (white = 255) at width x height, through the photo
 * decoder: SVG and other non-images are refused, and so is anything over the photos' pixel limit.
 */
export async function readGreyImageFile(path: string, width: number, height: number): Promise<Uint8ClampedArray> {
  const img = await readImageFile(path);
  const { data, info } = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 4 },
  })
    .flatten({ background: '#000000' })
    .greyscale()
    .resize(width, height, { fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || data.length !== width * height) throw new Error(`${path}: could not be scaled to ${width}x${height}`);
  return new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
}

const IMAGE_EXTENSIONS: Record<string, ExportFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.avif': 'avif', '.tif': 'tiff', '.tiff': 'tiff' };

/** Export format implied by a file extension. */
export function formatFromPath(path: string): ExportFormat {
  const ext = extname(path).toLowerCase();
  const f = IMAGE_EXTENSIONS[ext];
  if (!f) throw new Error(`${path}: unknown output extension “${ext}” (use .png, .jpg, .webp, .avif or .tif)`);
  return f;
}

/**
 * Checks, before any decoding or compute, that `path` can be written: its extension is one of
 * `extensions` (default: the image formats), its folder exists and is writable, and it is not a folder.
 */
export async function checkOutputFile(path: string, extensions?: readonly string[]): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (!extensions) formatFromPath(path);
  else if (!extensions.includes(ext)) throw new Error(`${path}: unsupported extension “${ext}” (use ${extensions.join(' or ')})`);
  const dir = dirname(resolve(path));
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat) throw new Error(`${path}: the folder “${dirname(path)}” does not exist`);
  if (!dirStat.isDirectory()) throw new Error(`${path}: “${dirname(path)}” is not a folder`);
  // The atomic writer creates a temp file beside the target, so the folder itself must be writable.
  if (!(await access(dir, constants.W_OK).then(() => true, () => false))) throw new Error(`${path}: the folder “${dirname(path)}” is not writable`);
  if ((await stat(path).catch(() => null))?.isDirectory()) throw new Error(`${path}: is a folder`);
}

/** Encodes and writes atomically; the format follows the extension. */
export async function writeImageFile(path: string, image: RgbaImage, metadata: Record<string, string> = {}): Promise<void> {
  await writeFileAtomic(path, await encodeImage(image, { format: formatFromPath(path), metadata }));
}
