/**
 * Resampling of interleaved pixel planes on typed arrays. tfjs on the cpu backend needs tens of
 * seconds to resize a 16 MP tensor (TECH-NOTES.md); a separable triangle filter here takes well
 * under a second and antialiases when shrinking, which bilinear sampling does not.
 */

/** Pixel source: interleaved channels, `stride` values per pixel, the first `channels` taken. */
export interface PlaneSource {
  data: Float32Array | Uint8ClampedArray;
  width: number;
  height: number;
  stride: number;
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/** Triangle-filter taps mapping n source samples to m output samples (pixel centres aligned). */
function taps(n: number, m: number): Taps {
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
 * Resizes `channels` planes of `src` to w2 x h2 and maps each value v to v * mul + add.
 * Returns interleaved Float32 with `channels` values per pixel.
 */
export function resamplePlanes(src: PlaneSource, channels: number, w2: number, h2: number, mul = 1, add = 0): Float32Array {
  const { data, width: w, height: h, stride } = src;
  const out = new Float32Array(w2 * h2 * channels);
  if (w2 === w && h2 === h) {
    for (let p = 0, q = 0; p < w * h; p++, q += stride) {
      for (let c = 0; c < channels; c++) out[p * channels + c] = data[q + c]! * mul + add;
    }
    return out;
  }
  // Horizontal pass first: rows w → w2 (h rows), then columns h → h2.
  const tx = taps(w, w2);
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
  const ty = taps(h, h2);
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

/** Size of octave `i` of `count` (0 = smallest) for a full size and a scale between octaves. */
export function octaveSizes(width: number, height: number, count: number, scale: number, minSize: number): { width: number; height: number }[] {
  const sizes: { width: number; height: number }[] = [];
  for (let i = 0; i < count; i++) {
    const f = Math.pow(scale, count - 1 - i);
    const w = Math.max(1, Math.round(width / f));
    const h = Math.max(1, Math.round(height / f));
    // Too small for the network to see anything: skip, unless it is the full size itself.
    if (Math.min(w, h) < minSize && i < count - 1) continue;
    sizes.push({ width: w, height: h });
  }
  return sizes;
}
