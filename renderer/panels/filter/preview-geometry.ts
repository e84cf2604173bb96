/**
 * Geometry of the live preview: which document pixels to send, padded so borders come out exactly
 * as in a full run, and how to lay the answer back over the document.
 *
 * The preview asks the engine for the same-mode, stride-1 response of a rectangle R. It cuts R
 * plus the kernel's reach from the document, filling what lies beyond the document's edge with
 * the chosen border rule, and runs that crop in 'valid' mode: every output pixel then sees exactly
 * the inputs a full-image run gives it, for every border mode (wrap included). Stride and 'valid'
 * are then shown as they will come out: each kept pixel drawn as an s x s block at its anchor,
 * and the margin 'valid' drops painted dark.
 */
import { borderIndex } from '../../worker/compute/filter-geometry';
import type { BorderMode, FilterOptions } from '../../worker/compute/filter-options';
import type { Rgba } from '../../worker/protocol';

/** A rectangle in document pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** How far a kernel reaches from its anchor, in input pixels, once dilated. */
export interface Reach {
  /** Dilated extent. */
  eh: number;
  ew: number;
  /** Rows above / columns left of the anchor (same mode centres at floor(extent/2)). */
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** The reach of the options' kernels (all the same size) at their dilation. */
export function kernelReach(options: Pick<FilterOptions, 'kernel' | 'dilation'>): Reach {
  const kh = options.kernel.matrix.length;
  const kw = options.kernel.matrix[0]!.length;
  const eh = (kh - 1) * options.dilation + 1;
  const ew = (kw - 1) * options.dilation + 1;
  const top = Math.floor(eh / 2);
  const left = Math.floor(ew / 2);
  return { eh, ew, top, left, bottom: eh - 1 - top, right: ew - 1 - left };
}

/**
 * The w x h picture whose (0, 0) is document pixel (x, y); pixels outside the document follow the
 * border rule (zero gives transparent black, as the engine's zero padding of every channel).
 */
export function padCrop(image: Rgba, x: number, y: number, w: number, h: number, border: BorderMode): Rgba {
  const data = new Uint8ClampedArray(w * h * 4);
  const W = image.width;
  const src = image.data;
  const cols = new Int32Array(w);
  for (let c = 0; c < w; c++) cols[c] = borderIndex(x + c, W, border);
  for (let r = 0; r < h; r++) {
    const sy = borderIndex(y + r, image.height, border);
    const rowOut = r * w * 4;
    // Zero border: the row stays transparent black, as the buffer starts.
    if (sy < 0) continue;
    const rowIn = sy * W * 4;
    // The inside span is one contiguous copy; only the few columns beyond the edge are looked up.
    const c0 = Math.min(w, Math.max(0, -x));
    const c1 = Math.max(c0, Math.min(w, W - x));
    if (c1 > c0) data.set(src.subarray(rowIn + 4 * (x + c0), rowIn + 4 * (x + c1)), rowOut + 4 * c0);
    const edge = (c: number) => {
      const sx = cols[c]!;
      if (sx >= 0) data.set(src.subarray(rowIn + 4 * sx, rowIn + 4 * sx + 4), rowOut + 4 * c);
    };
    for (let c = 0; c < c0; c++) edge(c);
    for (let c = c1; c < w; c++) edge(c);
  }
  return { width: w, height: h, data };
}

/** Where output pixel 0 is anchored on the document, per axis: 0 in same mode, the reach in valid. */
export function anchorOffset(options: Pick<FilterOptions, 'mode'>, reach: Reach): { ay: number; ax: number } {
  return options.mode === 'valid' ? { ay: reach.top, ax: reach.left } : { ay: 0, ax: 0 };
}

/**
 * The rectangle to compute for a visible rectangle: extended up/left to the anchor of the first
 * stride block it shows, so every block's value is inside it.
 */
export function alignedRect(visible: Rect, stride: number, ay: number, ax: number): Rect {
  const down = (v: number, a: number) => Math.max(0, v - ((((v - a) % stride) + stride) % stride));
  const x = down(visible.x, ax);
  const y = down(visible.y, ay);
  return { x, y, w: visible.x + visible.w - x, h: visible.y + visible.h - y };
}

/** The request for a full-resolution preview of `rect`: the padded crop and the options to run on it. */
export function previewRequest(image: Rgba, rect: Rect, options: FilterOptions): { input: Rgba; options: FilterOptions } {
  const r = kernelReach(options);
  const input = padCrop(image, rect.x - r.left, rect.y - r.top, rect.w + r.ew - 1, rect.h + r.eh - 1, options.border);
  return { input, options: { ...options, mode: 'valid', stride: 1 } };
}

/** Colour of the margin that 'valid' mode crops away. */
export const CROPPED_COLOR: [number, number, number, number] = [24, 24, 28, 255];

/**
 * Lays the same-mode stride-1 result of `rect` out as the real options will produce it, in document
 * space: with stride s each kept pixel (anchor ay + k·s) fills an s x s block; with 'valid' the
 * margin the output loses is painted CROPPED_COLOR. Identity for same mode and stride 1.
 */
export function emulateOutputGeometry(result: Rgba, rect: Rect, docW: number, docH: number, options: FilterOptions): Rgba {
  const s = options.stride;
  if (s === 1 && options.mode === 'same') return result;
  const reach = kernelReach(options);
  const { ay, ax } = anchorOffset(options, reach);
  // Output rows/cols that exist: anchors ay + k·s for k < count.
  const countY = Math.ceil((options.mode === 'valid' ? docH - reach.eh + 1 : docH) / s);
  const countX = Math.ceil((options.mode === 'valid' ? docW - reach.ew + 1 : docW) / s);
  const out = new Uint8ClampedArray(rect.w * rect.h * 4);
  const src = result.data;
  for (let r = 0; r < rect.h; r++) {
    const y = rect.y + r;
    const ky = Math.floor((y - ay) / s);
    const rowOk = y >= ay && ky < countY;
    const sr = ay + ky * s - rect.y;
    for (let c = 0; c < rect.w; c++) {
      const x = rect.x + c;
      const kx = Math.floor((x - ax) / s);
      const at = 4 * (r * rect.w + c);
      const sc = ax + kx * s - rect.x;
      if (!rowOk || x < ax || kx >= countX || sr < 0 || sc < 0) {
        out.set(CROPPED_COLOR, at);
        continue;
      }
      const from = 4 * (sr * rect.w + sc);
      out.set(src.subarray(from, from + 4), at);
    }
  }
  return { width: rect.w, height: rect.h, data: out };
}

/** Box-averages a picture by an integer factor (partial blocks at the edges average what they hold). */
export function downscale(image: Rgba, f: number): Rgba {
  if (f <= 1) return image;
  const w = Math.ceil(image.width / f);
  const h = Math.ceil(image.height / f);
  const out = new Uint8ClampedArray(w * h * 4);
  const sum = new Float64Array(4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      sum.fill(0);
      let n = 0;
      for (let yy = y * f; yy < Math.min(image.height, (y + 1) * f); yy++) {
        for (let xx = x * f; xx < Math.min(image.width, (x + 1) * f); xx++) {
          const i = 4 * (yy * image.width + xx);
          for (let c = 0; c < 4; c++) sum[c]! += image.data[i + c]!;
          n++;
        }
      }
      for (let c = 0; c < 4; c++) out[4 * (y * w + x) + c] = Math.round(sum[c]! / n);
    }
  }
  return { width: w, height: h, data: out };
}

/** Largest side of the full-resolution preview crop, in document pixels. */
export const PREVIEW_MAX_SIDE = 1024;

/** The visible rectangle limited to PREVIEW_MAX_SIDE each way, keeping its centre. */
export function limitRect(r: Rect, max = PREVIEW_MAX_SIDE): Rect {
  const w = Math.min(r.w, max);
  const h = Math.min(r.h, max);
  return { x: r.x + Math.floor((r.w - w) / 2), y: r.y + Math.floor((r.h - h) / 2), w, h };
}

/**
 * The screen-resolution request for a zoomed-out view (factor f ≥ 2): the rectangle plus f·reach
 * of halo, box-downscaled by f and filtered in same mode (the kernel keeps its reach in low-res pixels),
 * so the first picture arrives fast; `crop` then cuts the halo off the result.
 */
export function lowResRequest(image: Rgba, rect: Rect, options: FilterOptions, f: number): { input: Rgba; options: FilterOptions; halo: number } {
  const r = kernelReach(options);
  const halo = Math.max(r.top, r.left, r.bottom, r.right);
  const big = padCrop(image, rect.x - halo * f, rect.y - halo * f, rect.w + 2 * halo * f, rect.h + 2 * halo * f, options.border);
  return { input: downscale(big, f), options: { ...options, mode: 'same', stride: 1 }, halo };
}

/** A w x h sub-picture at (x, y) (inside the picture). */
export function crop(image: Rgba, x: number, y: number, w: number, h: number): Rgba {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) {
    const from = 4 * ((y + r) * image.width + x);
    out.set(image.data.subarray(from, from + 4 * w), 4 * r * w);
  }
  return { width: w, height: h, data: out };
}
