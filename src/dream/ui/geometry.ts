/** Mask plumbing of the Dream panel, pure: mask crops, mask pictures and the eraser blend (image crops are in core/image.ts; CAM to mask runs in the worker, compute/cam-mask.ts). */
import type { Rect, RgbaImage } from '../../core/image';

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

/**
 * A tinted picture of a mask rectangle (alpha = mask) for the overlay layer, subsampled so its
 * longer side stays under `maxSide` (the canvas scales it back to the rectangle).
 */
export function maskTint(mask: Uint8Array, W: number, r: Rect, color: [number, number, number], maxSide = 1024): RgbaImage {
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
export function maskToGray(mask: Uint8Array, W: number, H: number): RgbaImage {
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
 * The eraser on pixels: inside `r`, moves `current` back towards `original` by coverage · opacity.
 * Pixels with no coverage keep their exact bytes. Returns a new image.
 */
export function eraseTowards(current: RgbaImage, original: RgbaImage, coverage: Uint8Array, r: Rect, opacity: number): RgbaImage {
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

/** Longest side of the live preview: screen resolution, up to this (a full-screen sketch stays quick). */
export const PREVIEW_MAX_SIDE = 1024;

/** Where and how big the live preview is: the painted mask's box inside the view (else the whole view), at screen resolution (zoom ≤ 1 px per document px) up to `maxSide`. */
export function previewArea(visible: Rect, painted: Rect | null, zoom: number, maxSide = PREVIEW_MAX_SIDE): { area: Rect; w: number; h: number } {
  let area = visible;
  if (painted) {
    const x0 = Math.max(visible.x, painted.x);
    const y0 = Math.max(visible.y, painted.y);
    const x1 = Math.min(visible.x + visible.w, painted.x + painted.w);
    const y1 = Math.min(visible.y + visible.h, painted.y + painted.h);
    if (x1 > x0 && y1 > y0) area = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  const f = Math.min(1, Math.max(1e-6, zoom), maxSide / Math.max(1, area.w, area.h));
  return { area, w: Math.max(1, Math.round(area.w * f)), h: Math.max(1, Math.round(area.h * f)) };
}

/** A rectangle of a one-plane mask (row length `W`) sampled at w×h (nearest pixel centre), for a preview of that size. */
export function samplePlane(plane: Uint8Array, W: number, r: Rect, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = r.y + Math.min(r.h - 1, Math.floor(((y + 0.5) * r.h) / h));
    for (let x = 0; x < w; x++) out[y * w + x] = plane[sy * W + r.x + Math.min(r.w - 1, Math.floor(((x + 0.5) * r.w) / w))]!;
  }
  return out;
}
