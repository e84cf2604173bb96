/** Where the network looks on the photo: the square views for each fit mode, and model inputs for them. */
import type * as tf from '@tensorflow/tfjs';
import type { PlainNet } from '../../core/net/plain-net';
import type { FitMode } from './explain-options';
import type { Rect, RgbaImage } from '../../core/image';
import { resampleCv2 } from '../../core/resample';
import { flipRgbX } from './cam-maps';

/** The photo rectangles fed to the network for a fit mode. */
export function planViews(width: number, height: number, fit: FitMode, tilesAcross = 2): Rect[] {
  if (fit === 'resize') return [{ x: 0, y: 0, w: width, h: height }];
  const short = Math.min(width, height);
  if (fit === 'center-crop') return [{ x: Math.floor((width - short) / 2), y: Math.floor((height - short) / 2), w: short, h: short }];
  const t = Math.max(1, Math.round(short / Math.max(1, tilesAcross)));
  const along = (len: number) => {
    if (len <= t) return [0];
    const n = Math.ceil((len - t) / (t / 2)) + 1;
    return Array.from({ length: n }, (_, i) => Math.round(((len - t) * i) / (n - 1)));
  };
  const out: Rect[] = [];
  for (const y of along(height)) for (const x of along(width)) out.push({ x, y, w: Math.min(t, width), h: Math.min(t, height) });
  return out;
}

/** RGB floats (0..255) of a photo rectangle resampled to size×size, optionally mirrored. */
export function viewPixels(photo: RgbaImage, rect: Rect, size: number, flip = false): Float32Array {
  const ch = photo.data.length / (photo.width * photo.height);
  const rgb = resampleCv2(photo.data, photo.width, photo.height, ch, 3, rect, size, size);
  return flip ? flipRgbX(rgb, size, size) : rgb;
}

/** The model input [1,size,size,3] for a photo rectangle. */
export function viewInput(net: PlainNet, photo: RgbaImage, rect: Rect, size = net.inputSize, flip = false): tf.Tensor4D {
  return net.fromRgbFloat(viewPixels(photo, rect, size, flip), size, size);
}
