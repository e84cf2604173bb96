/**
 * Mask painting, pure (no DOM): round stamps with size, hardness and opacity, stamps spaced
 * along the segment between two pointer events, and strokes merged into the document mask
 * (painting "over", or erasing). Values are 8-bit: 0 = keep, 255 = dream.
 */

import type { Rect } from '../../core/image';

/** What the brush paints with. */
export interface BrushSettings {
  /** Diameter in screen pixels (the panel's slider, `[` and `]`); a stroke converts it to document pixels at the view's zoom when it starts. */
  size: number;
  /** 0..1: fraction of the radius painted at full value before the soft falloff. */
  hardness: number;
  /** 0..1: value of the stroke where it is fully covered. */
  opacity: number;
  /** Erase the mask (and the dream under it) instead of painting. */
  eraser: boolean;
}

/** Defaults of the panel's brush. */
export const defaultBrushSettings: BrushSettings = { size: 64, hardness: 0.5, opacity: 1, eraser: false };

/** Range of the brush diameter in screen pixels. */
export const BRUSH_SIZE_RANGE: readonly [number, number] = [2, 400];

/** The next brush diameter for `[` (dir -1) or `]` (+1): about 20 % a press, at least 1 px, within BRUSH_SIZE_RANGE. */
export function stepBrushSize(size: number, dir: 1 | -1): number {
  const [lo, hi] = BRUSH_SIZE_RANGE;
  const next = dir > 0 ? Math.max(size + 1, Math.round(size * 1.2)) : Math.min(size - 1, Math.round(size / 1.2));
  return Math.min(hi, Math.max(lo, next));
}

/** Brush value 0..1 at distance `d` from the centre: 1 inside radius·hardness, smoothstep down to 0 at the radius. */
export function brushProfile(d: number, radius: number, hardness: number): number {
  if (d >= radius) return 0;
  const core = radius * Math.min(1, Math.max(0, hardness));
  if (d <= core) return 1;
  const t = (d - core) / (radius - core);
  return 1 - t * t * (3 - 2 * t);
}

/** Smallest rectangle holding both (null is empty). */
export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Grows a rectangle by `margin` on every side, clamped to a `W`×`H` image. */
export function expandRect(r: Rect, margin: number, W: number, H: number): Rect {
  const x0 = Math.max(0, r.x - margin);
  const y0 = Math.max(0, r.y - margin);
  const x1 = Math.min(W, r.x + r.w + margin);
  const y1 = Math.min(H, r.y + r.h + margin);
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

/**
 * Stamps one dab centred at (cx, cy) (continuous document coordinates; pixel (x, y) is sampled at
 * its centre) into `buf` by max, so overlapping dabs of one stroke never exceed full value.
 * Returns the box of the pixels it gave a value, or null when none (outside the image).
 */
export function stamp(buf: Uint8Array, W: number, H: number, cx: number, cy: number, size: number, hardness: number): Rect | null {
  const r = Math.max(0.5, size / 2);
  const x0 = Math.max(0, Math.floor(cx - r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const x1 = Math.min(W, Math.ceil(cx + r));
  const y1 = Math.min(H, Math.ceil(cy + r));
  if (x1 <= x0 || y1 <= y0) return null;
  // The tight box of the pixels given a value, so stroke bounds are exact.
  let bx0 = x1;
  let by0 = y1;
  let bx1 = -1;
  let by1 = -1;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - cx;
      const v = Math.round(brushProfile(Math.hypot(dx, dy), r, hardness) * 255);
      if (v === 0) continue;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      by1 = y;
      const i = y * W + x;
      if (v > buf[i]!) buf[i] = v;
    }
  }
  return bx1 < 0 ? null : { x: bx0, y: by0, w: bx1 - bx0 + 1, h: by1 - by0 + 1 };
}

/** Spacing between dabs along a segment: a tenth of the diameter keeps the edge smooth. */
export function dabSpacing(size: number): number {
  return Math.max(0.5, size * 0.1);
}

/** Stamps dabs along (x0, y0) → (x1, y1), the start excluded (it was stamped by the previous event). */
export function strokeSegment(
  buf: Uint8Array, W: number, H: number, x0: number, y0: number, x1: number, y1: number, size: number, hardness: number,
): Rect | null {
  const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / dabSpacing(size)));
  let dirty: Rect | null = null;
  for (let i = 1; i <= n; i++) {
    const t = i / n;
    dirty = unionRect(dirty, stamp(buf, W, H, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, size, hardness));
  }
  return dirty;
}

/** One stroke in progress: its coverage (0..255, document size) and bounding box, fed pointer positions. */
export class Stroke {
  readonly coverage: Uint8Array;
  /** Pixels the stroke touched so far (null before the first dab lands on the image). */
  bounds: Rect | null = null;
  private last: [number, number] | null = null;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly brush: BrushSettings,
  ) {
    this.coverage = new Uint8Array(width * height);
  }

  /** Adds the next pointer position; returns the rectangle that changed. */
  add(x: number, y: number): Rect | null {
    const { width: W, height: H, brush } = this;
    const dirty = this.last
      ? strokeSegment(this.coverage, W, H, this.last[0], this.last[1], x, y, brush.size, brush.hardness)
      : stamp(this.coverage, W, H, x, y, brush.size, brush.hardness);
    this.last = [x, y];
    this.bounds = unionRect(this.bounds, dirty);
    return dirty;
  }
}

/**
 * Merges a stroke into the document mask inside `rect`: painting lays the stroke over the mask
 * (m + (1 - m)·s), erasing removes it (m·(1 - s)), with s = coverage · opacity.
 */
export function applyStroke(mask: Uint8Array, coverage: Uint8Array, W: number, rect: Rect, opacity: number, eraser: boolean): void {
  const op = Math.min(1, Math.max(0, opacity)) / 255;
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let i = y * W + rect.x, end = i + rect.w; i < end; i++) {
      const s = coverage[i]! * op;
      if (s === 0) continue;
      const m = mask[i]!;
      mask[i] = Math.round(eraser ? m * (1 - s) : m + (255 - m) * s);
    }
  }
}

/** Bounding box of the non-zero values of a one-plane `W`×`H` mask, or null when it is empty. */
export function maskBounds(mask: ArrayLike<number>, W: number, H: number): Rect | null {
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) {
      if (mask[row + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A brush diameter given on screen as document pixels at this view zoom (screen px per document px): the same circle under the cursor at any zoom. */
export function screenToPhotoSize(screenPx: number, zoom: number): number {
  return Math.max(1, screenPx / Math.max(1e-6, zoom));
}

/** A brush diameter in document pixels as screen pixels at this view zoom (for the cursor ring and the size readout). */
export function photoToScreenSize(photoPx: number, zoom: number): number {
  return photoPx * Math.max(1e-6, zoom);
}

/** The zoom that fits a W×H document in a view of vw×vh screen pixels (as CanvasView fits: small photos are enlarged). */
export function fitZoom(W: number, H: number, vw: number, vh: number): number {
  return Math.min(vw / Math.max(1, W), vh / Math.max(1, H));
}
