/** Dream masks: feathering inside the painted area and per-octave coverage for tile skipping. */

/** Separable running-box blur of a single plane with radius r (edges clamped). */
function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let i = -r; i <= r; i++) acc += src[row + Math.min(w - 1, Math.max(0, i))]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc * norm;
      acc += src[row + Math.min(w - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let i = -r; i <= r; i++) acc += tmp[Math.min(h - 1, Math.max(0, i)) * w + x]!;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = acc * norm;
      acc += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
  return out;
}

/** A dream mask: Float32 0..1, or 8-bit 0..255 (a painted or PNG mask), one value per pixel. */
export type DreamMask = Float32Array | Uint8Array | Uint8ClampedArray;

/**
 * Softens the mask's edge inward only: min(m, blur(m)). Outside the painted area the value stays
 * exactly 0, so those pixels keep their original bytes; inside, it ramps up over ~`feather` px.
 */
export function featherMask(mask: DreamMask, w: number, h: number, feather: number): Float32Array {
  const out = new Float32Array(w * h);
  const k = mask instanceof Float32Array ? 1 : 1 / 255;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, mask[i]! * k));
  const r = Math.round(feather / 2);
  if (r < 1) return out;
  // Two box passes approximate a triangle of half-width ~feather.
  const blurred = boxBlur(boxBlur(out, w, h, r), w, h, r);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(out[i]!, blurred[i]!);
  return out;
}

/** Coverage at another size: 1 where any source pixel of the cell is above 0 (separable max). */
export function maskCoverage(mask: Float32Array, w: number, h: number, w2: number, h2: number): Uint8Array {
  const rows = new Uint8Array(w2 * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w2; x++) {
      const x0 = Math.floor((x * w) / w2);
      const x1 = Math.max(x0 + 1, Math.ceil(((x + 1) * w) / w2));
      let any = 0;
      for (let s = x0; s < x1 && s < w; s++) if (mask[y * w + s]! > 0) { any = 1; break; }
      rows[y * w2 + x] = any;
    }
  }
  const out = new Uint8Array(w2 * h2);
  for (let y = 0; y < h2; y++) {
    const y0 = Math.floor((y * h) / h2);
    const y1 = Math.max(y0 + 1, Math.ceil(((y + 1) * h) / h2));
    for (let s = y0; s < y1 && s < h; s++) {
      const r = s * w2;
      for (let x = 0; x < w2; x++) out[y * w2 + x] = out[y * w2 + x]! | rows[r + x]!;
    }
  }
  return out;
}
