/**
 * The kernel's frequency response: a small DFT of the (dilated) kernel, zero-padded to n x n,
 * shifted so the zero frequency sits in the centre, drawn log-scaled. Small (row pass then column
 * pass: even a separable 127x127 is about 1.5 M multiply-adds for the 64x64 output), so it runs in
 * the UI thread without a worker round trip.
 */
import type { FilterOptions } from '../compute/filter-options';
import type { RgbaImage } from '../../core/image';

/** Side of the response image in frequency samples. */
export const RESPONSE_SIZE = 64;
/** Dynamic range shown, in decades of magnitude below the peak (3 = 60 dB). */
export const RESPONSE_DECADES = 3;

/** Complex spectrum sampled on an n x n grid, zero frequency at (n/2, n/2); row = vertical frequency. */
export interface Spectrum {
  n: number;
  re: Float64Array;
  im: Float64Array;
}

/**
 * DFT of a kernel whose tap (i, j) sits at (i·d, j·d): F(u, v) = Σ k[i][j] e^{-2πi(u·i·d + v·j·d)/n}.
 * Summing over every tap directly samples the kernel's DTFT exactly even when the dilated extent
 * exceeds n. Computed as two 1-D passes (rows then columns): kh·kw·n + kh·n² products.
 */
export function kernelSpectrum(m: number[][], dilation = 1, n = RESPONSE_SIZE): Spectrum {
  const kh = m.length;
  const kw = m[0]!.length;
  const half = n / 2;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    cos[t] = Math.cos((2 * Math.PI * t) / n);
    sin[t] = Math.sin((2 * Math.PI * t) / n);
  }
  const idx = (f: number, tap: number) => ((((f - half) * tap * dilation) % n) + n) % n;
  // Row pass: G[i][v] = Σ_j k[i][j] e^{-2πi v j d / n}.
  const gr = new Float64Array(kh * n);
  const gi = new Float64Array(kh * n);
  for (let i = 0; i < kh; i++) {
    for (let v = 0; v < n; v++) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < kw; j++) {
        const w = m[i]![j]!;
        if (w === 0) continue;
        const t = idx(v, j);
        a += w * cos[t]!;
        b -= w * sin[t]!;
      }
      gr[i * n + v] = a;
      gi[i * n + v] = b;
    }
  }
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let u = 0; u < n; u++) {
    for (let v = 0; v < n; v++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < kh; i++) {
        const t = idx(u, i);
        const c = cos[t]!;
        const s = -sin[t]!;
        const x = gr[i * n + v]!;
        const y = gi[i * n + v]!;
        a += x * c - y * s;
        b += x * s + y * c;
      }
      re[u * n + v] = a;
      im[u * n + v] = b;
    }
  }
  return { n, re, im };
}

/**
 * Magnitude of what the filter does to each frequency, before output mapping: |F| for one kernel;
 * sqrt(|Fx|² + |Fy|²) for a gradient pair; the largest |Fk| for a compass set; the linear part
 * |F_id + amount·F_detail| for unsharp masking. Divided by the divisor, so values are gains.
 */
export function responseMagnitude(options: Pick<FilterOptions, 'kernel' | 'extraKernels' | 'combine' | 'dilation' | 'unsharp'>, n = RESPONSE_SIZE): Float64Array {
  const all = [options.kernel.matrix, ...(options.extraKernels ?? [])];
  const used = options.combine === 'none' ? all.slice(0, 1) : all;
  const spectra = used.map((m) => kernelSpectrum(m, options.dilation, n));
  const out = new Float64Array(n * n);
  const amount = options.unsharp?.amount ?? 1;
  const div = Math.abs(options.kernel.divisor ?? 1);
  for (let k = 0; k < n * n; k++) {
    let v: number;
    switch (options.combine) {
      case 'magnitude':
      case 'direction':
        v = Math.sqrt(spectra.reduce((s, sp) => s + sp.re[k]! ** 2 + sp.im[k]! ** 2, 0));
        break;
      case 'max':
        v = Math.max(...spectra.map((sp) => Math.hypot(sp.re[k]!, sp.im[k]!)));
        break;
      case 'unsharp':
        v = Math.hypot(spectra[0]!.re[k]! + amount * spectra[1]!.re[k]!, spectra[0]!.im[k]! + amount * spectra[1]!.im[k]!);
        break;
      default:
        v = Math.hypot(spectra[0]!.re[k]!, spectra[0]!.im[k]!);
    }
    out[k] = v / div;
  }
  return out;
}

// A dark-to-bright ramp (black, violet, orange, pale yellow) so faint lobes stay visible.
const RAMP: [number, number, number][] = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];

function ramp(t: number, out: Uint8ClampedArray, at: number): void {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  for (let c = 0; c < 3; c++) out[at + c] = Math.round(RAMP[i]![c]! + (RAMP[i + 1]![c]! - RAMP[i]![c]!) * f);
  out[at + 3] = 255;
}

/** Level in 0..1 of a magnitude on the log scale: 1 at the peak, 0 at RESPONSE_DECADES below (and for 0). */
export function logLevel(v: number, peak: number): number {
  if (!(peak > 0) || !(v > 0)) return 0;
  return Math.max(0, 1 + Math.log10(v / peak) / RESPONSE_DECADES);
}

/** The magnitude drawn as an n x n picture, log-scaled to its peak, plus the peak and DC gains. */
export function responseImage(mag: Float64Array, n = RESPONSE_SIZE): { image: RgbaImage; peak: number; dc: number } {
  let peak = 0;
  for (const v of mag) peak = Math.max(peak, v);
  const data = new Uint8ClampedArray(n * n * 4);
  for (let k = 0; k < n * n; k++) ramp(logLevel(mag[k]!, peak), data, 4 * k);
  return { image: { width: n, height: n, data }, peak, dc: mag[(n / 2) * n + n / 2]! };
}
