/**
 * Plain typed-array resampling, so big photos are reduced BEFORE any tensor exists
 * (tfjs cpu needs tens of seconds to resize a 16 MP tensor, TECH-NOTES.md).
 * Downscaling averages areas (box filter with fractional coverage); upscaling is bilinear with
 * half-pixel centres (cv2.resize / align_corners=false), which is how CAMs are upsampled.
 */

/** A rectangle in source pixels (fractional allowed). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Taps {
  idx: Int32Array;
  wt: Float32Array;
  start: Int32Array;
}

/** Per output sample: source indices and weights along one axis. */
function taps(srcLen: number, from: number, len: number, outLen: number): Taps {
  const scale = len / outLen;
  const idx: number[] = [];
  const wt: number[] = [];
  const start = new Int32Array(outLen + 1);
  for (let o = 0; o < outLen; o++) {
    start[o] = idx.length;
    if (scale > 1) {
      const a = from + o * scale;
      const b = a + scale;
      for (let s = Math.floor(a); s < Math.ceil(b); s++) {
        const w = Math.min(b, s + 1) - Math.max(a, s);
        if (w <= 0) continue;
        idx.push(Math.min(srcLen - 1, Math.max(0, s)));
        wt.push(w / scale);
      }
    } else {
      const c = from + (o + 0.5) * scale - 0.5;
      const c0 = Math.floor(c);
      const f = c - c0;
      idx.push(Math.min(srcLen - 1, Math.max(0, c0)), Math.min(srcLen - 1, Math.max(0, c0 + 1)));
      wt.push(1 - f, f);
    }
  }
  start[outLen] = idx.length;
  return { idx: Int32Array.from(idx), wt: Float32Array.from(wt), start };
}

/**
 * Resamples `rect` of an interleaved image with `srcChannels` channels (first `outChannels`
 * kept) to outW×outH, as Float32 interleaved (written over `into` when given). Source values are
 * read as numbers (8-bit or float).
 */
export function resample(
  src: ArrayLike<number>,
  srcW: number,
  srcH: number,
  srcChannels: number,
  outChannels: number,
  rect: Rect,
  outW: number,
  outH: number,
  into?: Float32Array,
): Float32Array {
  const tx = taps(srcW, rect.x, rect.w, outW);
  const ty = taps(srcH, rect.y, rect.h, outH);
  const y0 = Math.max(0, Math.floor(rect.y));
  const y1 = Math.min(srcH, Math.ceil(rect.y + rect.h) + 1);
  // Horizontal pass over the source rows the rect touches only. Sums are kept in locals and
  // stored once (RGB and single-channel unrolled): 5–10x faster than accumulating in the array.
  const rows = y1 - y0;
  const tmp = new Float32Array(rows * outW * outChannels);
  const { idx, wt, start } = tx;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + y0) * srcW * srcChannels;
    for (let o = 0, t = y * outW * outChannels; o < outW; o++, t += outChannels) {
      const k0 = start[o]!;
      const k1 = start[o + 1]!;
      if (outChannels === 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = k0; k < k1; k++) {
          const s = rowBase + idx[k]! * srcChannels;
          const w = wt[k]!;
          r += src[s]! * w;
          g += src[s + 1]! * w;
          b += src[s + 2]! * w;
        }
        tmp[t] = r;
        tmp[t + 1] = g;
        tmp[t + 2] = b;
      } else {
        for (let c = 0; c < outChannels; c++) {
          let v = 0;
          for (let k = k0; k < k1; k++) v += src[rowBase + idx[k]! * srcChannels + c]! * wt[k]!;
          tmp[t + c] = v;
        }
      }
    }
  }
  const n = outW * outChannels;
  // `into` (exactly outH × n values) saves a full-size allocation: every 64 MB pass counts at 16 MP.
  const out = into ?? new Float32Array(outH * n);
  if (into && into.length !== outH * n) throw new Error('resample: the output array has the wrong size');
  for (let o = 0; o < outH; o++) {
    const k0 = ty.start[o]!;
    const k1 = ty.start[o + 1]!;
    const row = out.subarray(o * n, (o + 1) * n);
    // Most output rows have one or two taps (upscaling, or a whole-pixel scale): one pass each.
    if (k1 - k0 === 2) {
      const a = tmp.subarray(rowOf(ty.idx[k0]!, y0, rows) * n);
      const b = tmp.subarray(rowOf(ty.idx[k0 + 1]!, y0, rows) * n);
      const wa = ty.wt[k0]!;
      const wb = ty.wt[k0 + 1]!;
      for (let i = 0; i < n; i++) row[i] = a[i]! * wa + b[i]! * wb;
      continue;
    }
    if (into) row.fill(0);
    for (let k = k0; k < k1; k++) {
      const a = tmp.subarray(rowOf(ty.idx[k]!, y0, rows) * n);
      const w = ty.wt[k]!;
      for (let i = 0; i < n; i++) row[i]! += a[i]! * w;
    }
  }
  return out;
}

function rowOf(srcRow: number, y0: number, rows: number): number {
  return Math.min(rows - 1, Math.max(0, srcRow - y0));
}

/** Resamples a single-channel float map (e.g. a 7×7 CAM) to outW×outH. */
export function resampleMap(map: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  return resample(map, w, h, 1, 1, { x: 0, y: 0, w, h }, outW, outH);
}

/** Mirrors a single-channel map left↔right. */
export function flipMapX(map: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(map.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = map[y * w + (w - 1 - x)]!;
  return out;
}

/** Mirrors interleaved RGB float pixels left↔right. */
export function flipRgbX(rgb: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(rgb.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = rgb[(y * w + (w - 1 - x)) * 3 + c]!;
  return out;
}

/** A min-max normalised (0..1) copy of a map, written straight from it (all-equal maps give 0). */
export function normalized01(map: Float32Array): Float32Array {
  const out = new Float32Array(map.length);
  const [lo, hi] = minMax(map);
  const span = hi - lo;
  if (span > 0) {
    const k = 1 / span;
    for (let i = 0; i < map.length; i++) out[i] = (map[i]! - lo) * k;
  }
  return out;
}

function minMax(map: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
