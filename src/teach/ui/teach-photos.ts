/** Photos for the Teach panel: decoded in the page, kept small (training sees them at the model's input size). */
import { downscaleToFit, type RgbaImage } from '../../core/image';

/** Longest side kept: the views are rendered at 224 from crops of 60–100 % of the photo, so this keeps their detail. */
export const TRAIN_SIDE = 320;
/** Longest side of a thumbnail. */
export const THUMB_SIDE = 56;

/** A photo of a class. */
export interface TeachPhoto {
  /** Unique within the panel (the feature cache key uses it). */
  id: string;
  name: string;
  image: RgbaImage;
  thumb: RgbaImage;
}

let nextId = 1;

/** True for a file the panel tries to decode (by type, else by extension: folders give files without a type). */
export function looksLikePhoto(f: File): boolean {
  return f.type.startsWith('image/') || /\.(png|jpe?g|webp|gif|bmp|avif|tiff?)$/i.test(f.name);
}

/** Decodes a file to a small photo (EXIF orientation applied); null when the browser cannot decode it. */
export async function decodePhoto(f: File): Promise<TeachPhoto | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(f, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  const k = Math.min(1, TRAIN_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * k));
  const h = Math.max(1, Math.round(bitmap.height * k));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { colorSpace: 'srgb' });
  if (!ctx) return null;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const image: RgbaImage = { width: w, height: h, data: ctx.getImageData(0, 0, w, h).data };
  return { id: `p${nextId++}`, name: f.webkitRelativePath || f.name, image, thumb: downscaleToFit(image, THUMB_SIDE) };
}
