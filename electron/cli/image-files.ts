/** Reading and writing image files for the CLI, with the same decoder and atomic writer as the app. */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ExportFormat, RgbaImage } from '../ipc-contract';
import { writeFileAtomic } from '../services/atomic-write';
import { encodeImage } from '../services/encode';
import { decodeImage } from '../services/image-decode';

/** Decodes an image file to upright RGBA (EXIF orientation applied). */
export async function readImageFile(path: string): Promise<RgbaImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`, { cause: e });
  }
  return (await decodeImage(bytes, basename(path))).image;
}

/** Export format implied by a file extension. */
export function formatFromPath(path: string): ExportFormat {
  const ext = extname(path).toLowerCase();
  const map: Record<string, ExportFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.avif': 'avif', '.tif': 'tiff', '.tiff': 'tiff' };
  const f = map[ext];
  if (!f) throw new Error(`${path}: unknown output extension “${ext}” (use .png, .jpg, .webp, .avif or .tif)`);
  return f;
}

/** Encodes and writes atomically; the format follows the extension. */
export async function writeImageFile(path: string, image: RgbaImage, metadata: Record<string, string> = {}): Promise<void> {
  await writeFileAtomic(path, await encodeImage(image, { format: formatFromPath(path), metadata }));
}
