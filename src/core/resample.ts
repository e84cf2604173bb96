/**
 * The two resamplers, on typed arrays, so big photos are reduced BEFORE any tensor exists (tfjs on
 * the cpu backend needs tens of seconds to resize a 16 MP tensor, TECH-NOTES.md). They follow two
 * different references and give different numbers, so both stay: `resamplePilBilinear` is PIL's
 * antialiased triangle filter (Deep Dream octaves), `resampleCv2` is cv2.resize's INTER_AREA /
 * INTER_LINEAR (Explain views and CAM upsampling, as pytorch-grad-cam does).
 */
import type { Rect } from './image';

/** Pixel source: interleaved channels, `stride` values per pixel, the first `channels` taken. */
export interface InterleavedSource {
  data: Float32Array | Uint8ClampedArray;
  width: number;
  height: number;
  stride: number;
}

interface TriangleTaps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/** Triangle-filter taps mapping n source samples to m output samples (pixel centres aligned). */
function triangleTaps(n: number, m: number): TriangleTaps {
  const scale = n / m;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(2 * support) + 2;
  const start = new Int32Array(m);
  const count = new Int32Array(m);
  const weights = new Float32Array(m * maxTaps);
  for (let i = 0; i < m; i++) {
    const centre = (i + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - support));
    const hi = Math.min(n - 1, Math.floor(centre + support));
    let sum = 0;
    let k = 0;
    for (let j = lo; j <= hi && k < maxTaps; j++, k++) {
      const w = Math.max(0, 1 - Math.abs(j - centre) / support);
      weights[i * maxTaps + k] = w;
      sum += w;
    }
    if (sum === 0) {
      // Only when n == 1 or rounding leaves no positive tap: take the nearest sample.
      start[i] = Math.min(n - 1, Math.max(0, Math.round(centre)));
      count[i] = 1;
      weights[i * maxTaps] = 1;
      continue;
    }
    for (let t = 0; t < k; t++) weights[i * maxTaps + t]! /= sum;
    start[i] = lo;
    count[i] = k;
  }
  return { start, count, weights, maxTaps };
}

/**
 * PIL BILINEAR (`Image.resize(..., BILINEAR)`): resizes `channels` planes of `src` to w2 x h2 with a
 * separable triangle filter, widened when shrinking so it antialiases, and maps each value v to
 * v * mul + add. Returns interleaved Float32 with `channels` values per pixel.
 */
export function resamplePilBilinear(src: InterleavedSource, channels: number, w2: number, h2: number, mul = 1, add = 0): Float32Array {
  const { data, width: w, height: h, stride } = src;
  const out = new Float32Array(w2 * h2 * channels);
  if (w2 === w && h2 === h) {
    for (let p = 0, q = 0; p < w * h; p++, q += stride) {
      for (let c = 0; c < channels; c++) out[p * channels + c] = data[q + c]! * mul + add;
    }
    return out;
  }
  // Horizontal pass first: rows w → w2 (h rows), then columns h → h2.
  const tx = triangleTaps(w, w2);
  const tmp = new Float32Array(w2 * h * channels);
  for (let y = 0; y < h; y++) {
    const rowIn = y * w * stride;
    const rowOut = y * w2 * channels;
    for (let x = 0; x < w2; x++) {
      const s = tx.start[x]!;
      const n = tx.count[x]!;
      const wo = x * tx.maxTaps;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let t = 0; t < n; t++) acc += tx.weights[wo + t]! * data[rowIn + (s + t) * stride + c]!;
        tmp[rowOut + x * channels + c] = acc;
      }
    }
  }
  const ty = triangleTaps(h, h2);
  const rowLen = w2 * channels;
  for (let y = 0; y < h2; y++) {
    const s = ty.start[y]!;
    const n = ty.count[y]!;
    const wo = y * ty.maxTaps;
    const o = y * rowLen;
    for (let t = 0; t < n; t++) {
      const wt = ty.weights[wo + t]!;
      const r = (s + t) * rowLen;
      for (let i = 0; i < rowLen; i++) out[o + i]! += wt * tmp[r + i]!;
    }
    if (mul !== 1 || add !== 0) for (let i = 0; i < rowLen; i++) out[o + i] = out[o + i]! * mul + add;
  }
  return out;
}

interface AreaTaps {
  idx: Int32Array;
  wt: Float32Array;
  start: Int32Array;
}

/** Per output sample: source indices and weights along one axis. */
function areaTaps(srcLen: number, from: number, len: number, outLen: number): AreaTaps {
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
 * cv2.resize: INTER_AREA when shrinking (box filter with fractional coverage), INTER_LINEAR when
 * enlarging (half-pixel centres, align_corners=false, which is how CAMs are upsampled).
 * Resamples `rect` of an interleaved image with `srcChannels` channels (first `outChannels`
 * kept) to outW×outH, as Float32 interleaved (written over `into` when given). Source values are
 * read as numbers (8-bit or float).
 */
export function resampleCv2(
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
  const tx = areaTaps(srcW, rect.x, rect.w, outW);
  const ty = areaTaps(srcH, rect.y, rect.h, outH);
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
  if (into && into.length !== outH * n) throw new Error('resampleCv2: the output array has the wrong size');
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

/** `resampleCv2` of a single-channel float map (e.g. a 7×7 CAM) to outW×outH. */
export function resampleMapCv2(map: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  return resampleCv2(map, w, h, 1, 1, { x: 0, y: 0, w, h }, outW, outH);
}


/**
 * One axis of a separable resize as a dense outLen×srcLen matrix (row o = the weights of output
 * sample o), so a batch of small maps is resized by two matMuls on the GPU/wasm. 'half-pixel' is
 * exactly `resampleCv2`'s axis (INTER_LINEAR up, INTER_AREA down); 'align-corners' maps the end
 * samples onto each other (torch's UpsamplingBilinear2d, align_corners=True).
 */
export function resampleMatrix(srcLen: number, outLen: number, mode: 'half-pixel' | 'align-corners' = 'half-pixel'): Float32Array {
  const m = new Float32Array(outLen * srcLen);
  if (mode === 'half-pixel') {
    const { idx, wt, start } = areaTaps(srcLen, 0, srcLen, outLen);
    for (let o = 0; o < outLen; o++) for (let k = start[o]!; k < start[o + 1]!; k++) m[o * srcLen + idx[k]!]! += wt[k]!;
    return m;
  }
  const scale = outLen > 1 ? (srcLen - 1) / (outLen - 1) : 0;
  for (let o = 0; o < outLen; o++) {
    const c = o * scale;
    const c0 = Math.min(srcLen - 1, Math.floor(c));
    const f = c - c0;
    m[o * srcLen + c0]! += 1 - f;
    if (f > 0) m[o * srcLen + Math.min(srcLen - 1, c0 + 1)]! += f;
  }
  return m;
}
