/** The guided dream's guide image in the panel: decoded in the page and kept small (the engine sees guides at GUIDE_SIDE). */
import type { RgbaImage } from '../../core/image';

/** Longest side kept: compute/guide.ts's GUIDE_SIDE (not imported: that module brings tfjs into the page). */
export const GUIDE_SIDE = 320;

/** A chosen guide: its file name (recorded in the history label and the export) and its pixels. */
export interface GuideImage {
  name: string;
  image: RgbaImage;
}

/** True for a file the panel tries to decode as a guide (by type, else by extension). */
export function looksLikeImage(f: File): boolean {
  return f.type.startsWith('image/') || /\.(png|jpe?g|webp|gif|bmp|avif)$/i.test(f.name);
}

/** Decodes a file into a guide no larger than GUIDE_SIDE (EXIF orientation applied); null when the browser cannot decode it. */
export async function decodeGuide(f: File): Promise<GuideImage | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(f, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  const k = Math.min(1, GUIDE_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * k));
  const h = Math.max(1, Math.round(bitmap.height * k));
  const ctx = new OffscreenCanvas(w, h).getContext('2d', { colorSpace: 'srgb' });
  if (!ctx) return null;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  return { name: f.name, image: { width: w, height: h, data: ctx.getImageData(0, 0, w, h).data } };
}
