/**
 * How a set of kernels becomes depthwise convolutions the backend runs fast.
 *
 * Measured on tfjs-backend-wasm 4.22 (XNNPACK, SIMD, 12 MP, 16 channels): depthwise kernels of
 * 3, 4, 9 or 25 taps take 45–200 ms, any other tap count (7x7, 1x7, 15x15) falls to a generic
 * path 5–30x slower, and a channel multiplier > 1 is ~10x slower than 1. So on wasm every kernel
 * is cut into zero-padded pieces of a fast shape (3x3, 5x5, 9x1, 25x1, ...), each piece becomes
 * one input channel ("stream") reading the image shifted by the piece's position, and the pieces'
 * results are summed afterwards. Other backends get the kernel whole.
 */
import { separateKernel } from './filter-kernel';

/** One kernel applied to one source plane, summed into one output plane. */
export interface Term {
  plane: number;
  out: number;
  matrix: number[][];
}

/** One input channel of the convolution: a piece of a term's kernel at its offset. */
export interface Stream {
  plane: number;
  out: number;
  /** Offset of the piece inside the (dilated) kernel, in pixels. */
  dy: number;
  dx: number;
  /** Dense: the piece's taps row-major (ph x pw). Separable: the vertical taps (ph). */
  taps: Float64Array;
  /** Separable only: the horizontal taps (pw). */
  taps2?: Float64Array;
}

/** The convolutions to run and how to sum them. */
export interface ConvPlan {
  kind: 'dense' | 'separable';
  /** Piece height and width in taps (separable: vertical and horizontal lengths). */
  ph: number;
  pw: number;
  streams: Stream[];
}

/** Backends the planner knows costs for. */
export type PlanBackend = 'wasm' | 'webgl' | 'cpu' | string;

// Relative cost of one depthwise pass per tap count on wasm; others are priced like 7x7 (slow path).
const wasmTapCost: Record<number, number> = { 3: 0.8, 4: 0.9, 9: 1, 25: 3 };
const slowTapCost = (taps: number): number => 1 + taps * 0.6;
// JS work per stream (building its shifted input and summing its output) in the same units.
const streamOverhead = 0.4;

function tapCost(backend: PlanBackend, taps: number): number {
  return backend === 'wasm' ? (wasmTapCost[taps] ?? slowTapCost(taps)) : taps / 9;
}

function blockTaps(m: number[][], y0: number, x0: number, ph: number, pw: number): Float64Array {
  const t = new Float64Array(ph * pw);
  for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) t[i * pw + j] = m[y0 + i]?.[x0 + j] ?? 0;
  return t;
}

function slice1d(v: number[], start: number, len: number): Float64Array {
  const t = new Float64Array(len);
  for (let i = 0; i < len; i++) t[i] = v[start + i] ?? 0;
  return t;
}

function densePlan(terms: Term[], ph: number, pw: number, dilation: number): ConvPlan {
  const kh = terms[0]!.matrix.length;
  const kw = terms[0]!.matrix[0]!.length;
  const streams: Stream[] = [];
  for (const t of terms) {
    for (let by = 0; by * ph < kh; by++) {
      for (let bx = 0; bx * pw < kw; bx++) {
        const taps = blockTaps(t.matrix, by * ph, bx * pw, ph, pw);
        // All-zero pieces add nothing; sparse kernels (identity, Roberts) skip them.
        if (!taps.some((v) => v !== 0)) continue;
        streams.push({ plane: t.plane, out: t.out, dy: by * ph * dilation, dx: bx * pw * dilation, taps });
      }
    }
  }
  return { kind: 'dense', ph, pw, streams };
}

function separablePlan(terms: Term[], pv: number, phz: number, dilation: number): ConvPlan | null {
  const streams: Stream[] = [];
  for (const t of terms) {
    const sep = separateKernel(t.matrix);
    if (!sep) return null;
    for (let a = 0; a * pv < sep.col.length; a++) {
      for (let b = 0; b * phz < sep.row.length; b++) {
        const taps = slice1d(sep.col, a * pv, pv);
        const taps2 = slice1d(sep.row, b * phz, phz);
        if (!taps.some((v) => v !== 0) || !taps2.some((v) => v !== 0)) continue;
        streams.push({ plane: t.plane, out: t.out, dy: a * pv * dilation, dx: b * phz * dilation, taps, taps2 });
      }
    }
  }
  return { kind: 'separable', ph: pv, pw: phz, streams };
}

function planCost(p: ConvPlan, backend: PlanBackend): number {
  const n = Math.max(1, p.streams.length);
  const pass = p.kind === 'dense' ? tapCost(backend, p.ph * p.pw) : tapCost(backend, p.ph) + tapCost(backend, p.pw) + 0.3;
  return n * (pass + streamOverhead);
}

/**
 * Rough wall time of a plan in ms per megapixel on wasm (12 MP runs, 2026-11-26: one 3x3 stream
 * ~35 ms/MP, 15x15 as 9 streams ~350 ms/MP), to weigh it against the block path (filter-block.ts).
 */
export function planMsPerMp(p: ConvPlan, backend: PlanBackend): number {
  return planCost(p, backend) * 15;
}

/** Non-zero taps per output pixel (all terms) above which wasm's XNNPACK paths beat the f64 SIMD kernel. */
export const SIMD_F64_MAX_TAPS = 64;

/**
 * Whether a run takes the WebAssembly SIMD kernel (filter-simd.ts) when it loads: asked for, or
 * auto on tfjs-cpu (always faster than the JS loops), and on wasm where it beat XNNPACK in the 12 MP
 * bench of 2026-12-02 (CPU ms, loaded machine): the exact f32 kernel always (3x3 article 193 → 109),
 * the f64 one up to SIMD_F64_MAX_TAPS taps (7x7 Gaussian, 14 taps: 210 → 125; 15x15 dense, 225
 * taps: 769 against XNNPACK's 603, so that stays on XNNPACK). On a GPU backend the tfjs paths stay.
 */
export function useSimd(
  layout: 'auto' | 'blocks' | 'strips' | 'direct' | 'simd' | undefined, backend: PlanBackend, work: { taps: number; exactF32: boolean },
): boolean {
  if (layout === 'simd') return true;
  if ((layout ?? 'auto') !== 'auto') return false;
  if (backend === 'cpu') return true;
  return backend === 'wasm' && (work.exactF32 || work.taps <= SIMD_F64_MAX_TAPS);
}

/** Piece lengths tried along one axis for 1-D passes on wasm. */
const fastLengths = [3, 9, 25];
/** Piece shapes tried for dense pieces on wasm. */
const fastBlocks: [number, number][] = [[3, 3], [5, 5], [9, 1], [1, 9], [25, 1], [1, 25], [3, 1], [1, 3]];

/**
 * Chooses the cheapest plan for the terms (all kernels the same size): dense pieces, or two 1-D
 * passes when every kernel has rank 1 and `separable` allows it.
 */
export function planConvolution(
  terms: Term[],
  opts: { dilation: number; separable: 'auto' | 'always' | 'never'; backend: PlanBackend },
): ConvPlan {
  if (terms.length === 0) throw new Error('Nothing to convolve: every channel is switched off.');
  const kh = terms[0]!.matrix.length;
  const kw = terms[0]!.matrix[0]!.length;
  const fitting = (n: number) => fastLengths.filter((l) => l >= n).slice(0, 1).concat(fastLengths.filter((l) => l < n));
  const sepCandidates: [number, number][] =
    opts.backend === 'wasm' ? fitting(kh).flatMap((a) => fitting(kw).map((b): [number, number] => [a, b])) : [[kh, kw]];
  const denseCandidates: [number, number][] = opts.backend === 'wasm' ? fastBlocks : [[kh, kw]];
  const dense = denseCandidates.map(([a, b]) => densePlan(terms, a, b, opts.dilation));
  const seps = opts.separable === 'never' ? [] : sepCandidates.map(([a, b]) => separablePlan(terms, a, b, opts.dilation));
  const sep = seps.filter((p): p is ConvPlan => p !== null);
  const pool = opts.separable === 'always' && sep.length > 0 ? sep : [...dense, ...sep];
  let best = pool[0]!;
  for (const p of pool) if (planCost(p, opts.backend) < planCost(best, opts.backend)) best = p;
  if (best.streams.length === 0) {
    // An all-zero kernel: keep one zero stream so the output geometry still comes out.
    best.streams.push({ plane: terms[0]!.plane, out: terms[0]!.out, dy: 0, dx: 0, taps: new Float64Array(best.kind === 'dense' ? best.ph * best.pw : best.ph), ...(best.kind === 'separable' ? { taps2: new Float64Array(best.pw) } : {}) });
  }
  return best;
}

/**
 * Picks the backend for filtering from measured times (ms per megapixel of a short probe, e.g. a
 * 512x512 3x3 run on each available backend); null when nothing was measured. Pure so the
 * worker can call it with whatever probes it ran: on software GL wasm wins ~10x, on a real GPU webgl.
 */
export function fastestBackend(msPerMpix: Partial<Record<string, number>>): string | null {
  let best: string | null = null;
  for (const [name, ms] of Object.entries(msPerMpix)) {
    if (ms === undefined || !Number.isFinite(ms)) continue;
    if (best === null || ms < msPerMpix[best]!) best = name;
  }
  return best;
}
