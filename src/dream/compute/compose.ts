/** Turning the dreamed octave image back into 8-bit photo pixels: the final blend (at full size or from a smaller working size) and the progress preview. */
import type { RgbaImage } from '../../core/image';
import type { OctaveImage } from './gradient';

/** A float image at the network's working size, 3 interleaved values per pixel. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Downscaled view of the current state, blended over the original like the final result. */
export function preview(image: RgbaImage, img: OctaveImage, weights: Float32Array | null, strength: number, previewSize: number, lo: number, scale: number): RgbaImage {
  const { width: W, height: H } = image;
  const f = Math.min(1, previewSize / Math.max(W, H));
  const pw = Math.max(1, Math.round(W * f));
  const ph = Math.max(1, Math.round(H * f));
  const data = new Uint8ClampedArray(pw * ph * 4);
  for (let y = 0; y < ph; y++) {
    const fy = Math.min(H - 1, Math.floor(((y + 0.5) * H) / ph));
    const oy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / ph));
    for (let x = 0; x < pw; x++) {
      const fx = Math.min(W - 1, Math.floor(((x + 0.5) * W) / pw));
      const ox = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / pw));
      const s = (fy * W + fx) * 4;
      const a = (weights ? weights[fy * W + fx]! : 1) * strength;
      const q = (oy * img.width + ox) * 3;
      const d = (y * pw + x) * 4;
      for (let c = 0; c < 3; c++) data[d + c] = image.data[s + c]! * (1 - a) + ((img.data[q + c]! - lo) / scale) * a;
      data[d + 3] = image.data[s + 3]!;
    }
  }
  return { width: pw, height: ph, data };
}

/** Final 8-bit image: original * (1 - a) + dream * a; pixels with a = 0 keep their exact bytes. */
export function compose(image: RgbaImage, dreamed: Float32Array, weights: Float32Array | null, strength: number, lo: number, scale: number): RgbaImage {
  const { width: w, height: h, data: src } = image;
  const out = new Uint8ClampedArray(src.length);
  const k = 1 / scale;
  for (let p = 0, s = 0, d = 0; p < w * h; p++, s += 4, d += 3) {
    const a = (weights ? weights[p]! : 1) * strength;
    if (a <= 0) {
      out[s] = src[s]!;
      out[s + 1] = src[s + 1]!;
      out[s + 2] = src[s + 2]!;
    } else {
      // Unrolled, and ×(1/scale) for ÷scale: this runs once per pixel of every dream.
      const b = 1 - a;
      out[s] = Math.round(src[s]! * b + (dreamed[d]! - lo) * k * a);
      out[s + 1] = Math.round(src[s + 1]! * b + (dreamed[d + 1]! - lo) * k * a);
      out[s + 2] = Math.round(src[s + 2]! * b + (dreamed[d + 2]! - lo) * k * a);
    }
    out[s + 3] = src[s + 3]!;
  }
  return { width: w, height: h, data: out };
}

/** Bilinear sampling positions (pixel centres aligned, edges clamped) of n samples read from m. */
function linearTaps(m: number, n: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const t = new Float32Array(n);
  for (let x = 0; x < n; x++) {
    const f = Math.min(m - 1, Math.max(0, ((x + 0.5) * m) / n - 0.5));
    i0[x] = Math.floor(f);
    i1[x] = Math.min(m - 1, i0[x]! + 1);
    t[x] = f - i0[x]!;
  }
  return { i0, i1, t };
}

/**
 * Final 8-bit image from a dream at a smaller working size, as deepdream carries detail between
 * octaves: the detail (dreamed - base, network units, `detail`) is upsampled bilinearly to the
 * photo's size and added to the full-resolution photo, then blended by the mask like `compose`.
 * Upsampled one row at a time, so no full-size float image is ever allocated.
 */
export function composeDetail(image: RgbaImage, detail: FloatImage, weights: Float32Array | null, strength: number, scale: number): RgbaImage {
  const { width: W, height: H, data: src } = image;
  const { width: w, height: h, data: det } = detail;
  const out = new Uint8ClampedArray(src.length);
  const cx = linearTaps(w, W);
  const cy = linearTaps(h, H);
  const k = 1 / scale;
  const row = new Float32Array(w * 3);
  for (let y = 0; y < H; y++) {
    const r0 = cy.i0[y]! * w * 3;
    const r1 = cy.i1[y]! * w * 3;
    const ty = cy.t[y]!;
    for (let i = 0; i < w * 3; i++) row[i] = (det[r0 + i]! * (1 - ty) + det[r1 + i]! * ty) * k;
    for (let x = 0, p = y * W, s = p * 4; x < W; x++, p++, s += 4) {
      const a = (weights ? weights[p]! : 1) * strength;
      out[s + 3] = src[s + 3]!;
      if (a <= 0) {
        out[s] = src[s]!;
        out[s + 1] = src[s + 1]!;
        out[s + 2] = src[s + 2]!;
        continue;
      }
      const q0 = cx.i0[x]! * 3;
      const q1 = cx.i1[x]! * 3;
      const tx = cx.t[x]!;
      for (let c = 0; c < 3; c++) {
        const v = src[s + c]!;
        const d = v + row[q0 + c]! * (1 - tx) + row[q1 + c]! * tx;
        out[s + c] = Math.round(v + ((d < 0 ? 0 : d > 255 ? 255 : d) - v) * a);
      }
    }
  }
  return { width: W, height: H, data: out };
}
