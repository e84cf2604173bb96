/** The photo with its CAM drawn in, at full resolution: run in the worker (burn-in, overlay export) and by the gradcam op. Pure. */
import type { RgbaImage } from '../../core/image';
import { overlay, type ColormapName } from './colormap';

/** out = (1 - alpha)·photo + alpha·picture, alpha of the photo kept: the guided picture burnt in. */
export function blendRgba(photo: RgbaImage, picture: RgbaImage, alpha: number): RgbaImage {
  if (photo.width !== picture.width || photo.height !== picture.height) throw new Error('blend: the picture and the photo sizes differ');
  const a = Math.min(1, Math.max(0, alpha));
  const out = new Uint8ClampedArray(photo.data.length);
  for (let p = 0; p < out.length; p += 4) {
    out[p] = photo.data[p]! * (1 - a) + picture.data[p]! * a;
    out[p + 1] = photo.data[p + 1]! * (1 - a) + picture.data[p + 1]! * a;
    out[p + 2] = photo.data[p + 2]! * (1 - a) + picture.data[p + 2]! * a;
    out[p + 3] = photo.data[p + 3]!;
  }
  return { width: photo.width, height: photo.height, data: out };
}

/** The photo with the CAM drawn in: the heat colours (same blend as the CLI) or the guided picture. */
export function burnIn(photo: RgbaImage, heat: Float32Array, colormap: ColormapName, alpha: number, guided: RgbaImage | null): RgbaImage {
  if (guided) return blendRgba(photo, guided, alpha);
  return overlay(photo, { width: photo.width, height: photo.height, data: heat }, colormap, alpha);
}
