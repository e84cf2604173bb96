/** Pixel plumbing of the Dream panel, pure: crops, paste-back, downscale, mask pictures and the eraser blend. */
import type { Rgba } from '../../worker/protocol';
import type { Rect } from './brush';

/** Copies a rectangle of an RGBA image. */
export function cropRgba(img: Rgba, r: Rect): Rgba {
  const out = new Uint8ClampedArray(r.w * r.h * 4);
  for (let y = 0; y < r.h; y++) {
    const s = ((r.y + y) * img.width + r.x) * 4;
    out.set(img.data.subarray(s, s + r.w * 4), y * r.w * 4);
  }
  return { width: r.w, height: r.h, data: out };
}

/** A copy of `dst` with `src` pasted at (x, y); `dst` itself is left alone. */
export function pasteRgba(dst: Rgba, src: Rgba, x: number, y: number): Rgba {
  const out = dst.data.slice();
  for (let r = 0; r < src.height; r++) out.set(src.data.subarray(r * src.width * 4, (r + 1) * src.width * 4), ((y + r) * dst.width + x) * 4);
  return { width: dst.width, height: dst.height, data: out };
}

/** Copies a rectangle of a one-plane mask (row length `W`), each value scaled by `gain` (0..1). */
export function cropPlane(plane: Uint8Array, W: number, r: Rect, gain = 1): Uint8Array {
  const out = new Uint8Array(r.w * r.h);
  for (let y = 0; y < r.h; y++) {
    const s = (r.y + y) * W + r.x;
    if (gain === 1) out.set(plane.subarray(s, s + r.w), y * r.w);
    else for (let x = 0; x < r.w; x++) out[y * r.w + x] = Math.round(plane[s + x]! * gain);
  }
  return out;
}

/** Writes a cropped plane back into the mask at the rectangle's place. */
export function putPlane(plane: Uint8Array, W: number, r: Rect, src: Uint8Array): void {
  for (let y = 0; y < r.h; y++) plane.set(src.subarray(y * r.w, (y + 1) * r.w), (r.y + y) * W + r.x);
}

/** Area-average downscale so the longer side is at most `maxSide` (a copy at the same size when it already fits). */
export function downscaleRgba(img: Rgba, maxSide: number): Rgba {
  const f = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (f === 1) return { ...img, data: img.data.slice() };
  const w = Math.max(1, Math.round(img.width * f));
  const h = Math.max(1, Math.round(img.height * f));
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y * img.height) / h);
    const sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * img.height) / h));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x * img.width) / w);
      const sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * img.width) / w));
      const acc = [0, 0, 0, 0];
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const s = (sy * img.width + sx) * 4;
          for (let c = 0; c < 4; c++) acc[c]! += img.data[s + c]!;
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      for (let c = 0; c < 4; c++) out[(y * w + x) * 4 + c] = acc[c]! / n;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * A tinted picture of a mask rectangle (alpha = mask) for the overlay layer, subsampled so its
 * longer side stays under `maxSide` (the canvas scales it back to the rectangle).
 */
export function maskTint(mask: Uint8Array, W: number, r: Rect, color: [number, number, number], maxSide = 1024): Rgba {
  const f = Math.min(1, maxSide / Math.max(r.w, r.h, 1));
  const w = Math.max(1, Math.round(r.w * f));
  const h = Math.max(1, Math.round(r.h * f));
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = r.y + Math.min(r.h - 1, Math.floor(((y + 0.5) * r.h) / h));
    for (let x = 0; x < w; x++) {
      const sx = r.x + Math.min(r.w - 1, Math.floor(((x + 0.5) * r.w) / w));
      const o = (y * w + x) * 4;
      out[o] = color[0];
      out[o + 1] = color[1];
      out[o + 2] = color[2];
      out[o + 3] = mask[sy * W + sx]!;
    }
  }
  return { width: w, height: h, data: out };
}

/** The mask as an opaque grayscale image (white = dream, black = keep), the CLI's --mask format. */
export function maskToGray(mask: Uint8Array, W: number, H: number): Rgba {
  const out = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    const v = mask[i]!;
    out[i * 4] = v;
    out[i * 4 + 1] = v;
    out[i * 4 + 2] = v;
    out[i * 4 + 3] = 255;
  }
  return { width: W, height: H, data: out };
}

/**
 * A normalised CAM map (0..1, `cw`×`ch`) as an 8-bit mask of the document's size (bilinear when
 * the sizes differ). Values under `floor` become 0 so faint attention does not dream (and costs no tiles).
 */
export function camToMask(heat: Float32Array, cw: number, ch: number, W: number, H: number, floor = 0.1): Uint8Array {
  const out = new Uint8Array(W * H);
  const span = Math.max(1e-6, 1 - floor);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(ch - 1, Math.max(0, ((y + 0.5) * ch) / H - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(cw - 1, Math.max(0, ((x + 0.5) * cw) / W - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = fx - x0;
      const top = heat[y0 * cw + x0]! * (1 - tx) + heat[y0 * cw + x1]! * tx;
      const bottom = heat[y1 * cw + x0]! * (1 - tx) + heat[y1 * cw + x1]! * tx;
      const v = (top * (1 - ty) + bottom * ty - floor) / span;
      out[y * W + x] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  }
  return out;
}

/**
 * The eraser on pixels: inside `r`, moves `current` back towards `original` by coverage · opacity.
 * Pixels with no coverage keep their exact bytes. Returns a new image.
 */
export function eraseTowards(current: Rgba, original: Rgba, coverage: Uint8Array, r: Rect, opacity: number): Rgba {
  const out = current.data.slice();
  const W = current.width;
  const op = Math.min(1, Math.max(0, opacity)) / 255;
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let p = y * W + r.x, end = p + r.w; p < end; p++) {
      const a = coverage[p]! * op;
      if (a === 0) continue;
      for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(current.data[p * 4 + c]! * (1 - a) + original.data[p * 4 + c]! * a);
    }
  }
  return { width: W, height: current.height, data: out };
}
