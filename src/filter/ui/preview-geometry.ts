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
import { borderIndex } from '../compute/filter-geometry';
import type { BorderMode, FilterOptions } from '../compute/filter-options';
import { downscaleBy, padCrop as padCropWith, type Rect, type RgbaImage } from '../../core/image';

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
export function padCrop(image: RgbaImage, x: number, y: number, w: number, h: number, border: BorderMode): RgbaImage {
  return padCropWith(image, { x, y, w, h }, (i, n) => borderIndex(i, n, border));
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
export function previewRequest(image: RgbaImage, rect: Rect, options: FilterOptions): { input: RgbaImage; options: FilterOptions } {
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
export function emulateOutputGeometry(result: RgbaImage, rect: Rect, docW: number, docH: number, options: FilterOptions): RgbaImage {
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
 * so the first picture arrives fast; core/image's `crop` then cuts the halo off the result.
 */
export function lowResRequest(image: RgbaImage, rect: Rect, options: FilterOptions, f: number): { input: RgbaImage; options: FilterOptions; halo: number } {
  const r = kernelReach(options);
  const halo = Math.max(r.top, r.left, r.bottom, r.right);
  const big = padCrop(image, rect.x - halo * f, rect.y - halo * f, rect.w + 2 * halo * f, rect.h + 2 * halo * f, options.border);
  return { input: downscaleBy(big, f), options: { ...options, mode: 'same', stride: 1 }, halo };
}
