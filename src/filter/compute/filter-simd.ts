/**
 * The direct plan (filter-direct.ts) run by the hand-written WebAssembly SIMD kernel of
 * simd/correlate.as: RGBA8 rows in, luma or a channel made in wasm, taps four at a time, float
 * planes out. The filter engine on wasm and tfjs-cpu wherever WebAssembly SIMD exists.
 *
 * The loop structure, ring of padded rows, tap grouping and f64 group sums are those of
 * runDirect, so the planes are bit-identical to the direct path. Where every product and partial
 * sum is an exact integer below 2^24 (8-bit input, small integer weights: the article kernel,
 * Sobel, Laplacian) f32 gives the same bits as f64 and the kernel runs four pixels a vector
 * instead of two.
 */
import type { RgbaImage } from '../../core/image';
import type { PlaneSource } from './planes';
import { borderIndex, type Geometry } from './filter-geometry';
import type { BorderMode } from './filter-options';
import type { DirectPlan, DirectTerm } from './filter-direct';
import type { SimdKernel } from './simd/simd-loader';
import { throwIfAborted, type JobContext } from '../../core/job';

/** What the SIMD run reads: RGBA8 (luma or channels made in wasm) or float planes. */
export type SimdSource = { image: RgbaImage; luma: boolean } | { planes: PlaneSource };

/** Output pixels per band between abort checks (as the direct path). */
const BAND_PIXELS = 1 << 21;
const EXACT_LIMIT = 2 ** 24;

/** True when f32 sums are exact for every output plane, so acc32 matches acc64 bit for bit. */
export function exactInF32(plan: DirectPlan, integerInput: boolean, maxInput = 255): boolean {
  if (!integerInput) return false;
  const bound = new Map<number, number>();
  for (const t of plan.terms) {
    const ws = plan.separable ? [t.col!.weights, t.row!.weights] : [t.rows!.flatMap((r) => r.weights)];
    if (!ws.every((w) => w.every(Number.isInteger))) return false;
    const mag = ws.map((w) => w.reduce((a, v) => a + Math.abs(v), 0)).reduce((a, v) => a * v, 1);
    bound.set(t.out, (bound.get(t.out) ?? 0) + mag * maxInput);
  }
  return [...bound.values()].every((b) => b < EXACT_LIMIT);
}

/** Non-zero taps per output pixel over all terms (both passes of a separable plan). */
export function planTaps(plan: DirectPlan): number {
  return plan.terms.reduce((a, t) => a + (plan.separable ? t.col!.offsets.length + t.row!.offsets.length : t.rows!.reduce((b, r) => b + r.offsets.length, 0)), 0);
}

/** A bump allocator over the instance's memory (bytes, 16-aligned), grown once before use. */
class Arena {
  top = 16;
  alloc(floats: number): number {
    const p = this.top;
    this.top += (floats * 4 + 15) & ~15;
    return p;
  }
}

/** Rows kept for the kernel's height in wasm memory, by padded row index (RowRing of filter-direct.ts). */
class PtrRing {
  private readonly keys: Int32Array;
  private readonly base: number;
  constructor(arena: Arena, private readonly size: number, private readonly width: number, private readonly make: (p: number, at: number) => void) {
    this.base = arena.alloc(size * width);
    this.keys = new Int32Array(size).fill(-1);
  }

  /** Byte address of padded row p, made on first use. */
  get(p: number): number {
    const slot = p % this.size;
    const at = this.base + slot * this.width * 4;
    if (this.keys[slot] !== p) {
      this.make(p, at);
      this.keys[slot] = p;
    }
    return at;
  }
}

type Acc = SimdKernel['acc64'];

/** Adds a term's taps (groups of four, in order) over one row: the direct path's addTaps loop. */
function addTaps(acc: Acc, o: number, r: number, n: number, s: number, offsets: number[], w: number[]): void {
  for (let k = 0; k < offsets.length; k += 4) {
    const c = Math.min(4, offsets.length - k);
    const p = (j: number) => r + 4 * offsets[Math.min(k + j, k + c - 1)]!;
    acc(o, n, s, c, p(0), p(1), p(2), p(3), w[k]!, w[k + 1] ?? 0, w[k + 2] ?? 0, w[k + 3] ?? 0);
  }
}

/** The vertical pass: rows (byte addresses) weighted and added, four at a time (addRows). */
function addRows(acc: Acc, o: number, rows: number[], w: number[], n: number): void {
  for (let k = 0; k < rows.length; k += 4) {
    const c = Math.min(4, rows.length - k);
    const p = (j: number) => rows[Math.min(k + j, k + c - 1)]!;
    acc(o, n, 1, c, p(0), p(1), p(2), p(3), w[k]!, w[k + 1] ?? 0, w[k + 2] ?? 0, w[k + 3] ?? 0);
  }
}

/** Padded input rows of one plane: source row, border columns and rows as the direct path makes them. */
function planeRing(k: SimdKernel, arena: Arena, src: SimdSource, geo: Geometry, border: BorderMode, plane: number, views: () => { f32: Float32Array; u8: Uint8Array }): PtrRing {
  const { width: imgW, height: imgH } = 'image' in src ? src.image : src.planes;
  const needCols = (geo.width - 1) * geo.stride + geo.ew;
  const edge: number[] = [];
  for (let c = 0; c < needCols; c++) {
    const x = c - geo.left;
    if (x < 0 || x >= imgW) edge.push(c, borderIndex(x, imgW, border));
  }
  const inner = Math.max(0, Math.min(imgW, needCols - geo.left));
  const scratch = arena.alloc(imgW);
  const bytes = 'image' in src ? arena.alloc(imgW) : 0;
  const floats = 'image' in src ? null : new Float32Array(imgW);
  return new PtrRing(arena, geo.eh, needCols, (p, at) => {
    const sy = borderIndex(p - geo.top, imgH, border);
    if (sy < 0) {
      k.zero(at, needCols);
      return;
    }
    const { f32, u8 } = views();
    // The whole source row lands in the padded row: write it there; else via scratch.
    const dst = inner === imgW ? at + geo.left * 4 : scratch;
    if ('image' in src) {
      u8.set(src.image.data.subarray(sy * imgW * 4, (sy + 1) * imgW * 4), bytes);
      if (src.luma) k.lumaRow(bytes, imgW, dst);
      else k.channelRow(bytes, imgW, plane, dst);
    } else {
      f32.set(src.planes.row(plane, sy, floats!), dst / 4);
    }
    const row = at / 4;
    const from = dst / 4;
    if (dst === scratch) f32.copyWithin(row + geo.left, from, from + inner);
    for (let e = 0; e < edge.length; e += 2) f32[row + edge[e]!] = edge[e + 1]! >= 0 ? f32[from + edge[e + 1]!]! : 0;
  });
}

/** One output row of one term into the out row at o (byte address). */
function termRow(acc: Acc, t: DirectTerm, o: number, top: number, geo: Geometry, ring: PtrRing, horiz: PtrRing | null): void {
  if (horiz) {
    const rows = t.col!.offsets.map((dy) => horiz.get(top + dy));
    addRows(acc, o, rows, t.col!.weights, geo.width);
    return;
  }
  t.rows!.forEach((taps, ky) => {
    if (taps.offsets.length === 0) return;
    addTaps(acc, o, ring.get(top + ky * geo.dilation), geo.width, geo.stride, taps.offsets, taps.weights);
  });
}

/**
 * Runs a direct plan on the SIMD kernel: fills `out[o]` for every output plane a term writes
 * (allocating it), checks the signal and yields between bands so a cancel message can arrive.
 */
export async function runSimd(
  k: SimdKernel, src: SimdSource, geo: Geometry, plan: DirectPlan, border: BorderMode, out: (Float32Array | null)[], ctx: JobContext = {},
): Promise<void> {
  const W = geo.width;
  const acc = exactInF32(plan, 'image' in src) ? k.acc32 : k.acc64;
  const arena = new Arena();
  let f32 = new Float32Array(0);
  let u8 = new Uint8Array(0);
  const views = () => {
    if (f32.buffer !== k.memory.buffer) {
      f32 = new Float32Array(k.memory.buffer);
      u8 = new Uint8Array(k.memory.buffer);
    }
    return { f32, u8 };
  };
  const rings = new Map<number, PtrRing>();
  for (const t of plan.terms) if (!rings.has(t.plane)) rings.set(t.plane, planeRing(k, arena, src, geo, border, t.plane, views));
  const horiz = plan.terms.map((t) => {
    if (!plan.separable) return null;
    const ring = rings.get(t.plane)!;
    return new PtrRing(arena, geo.eh, W, (p, h) => {
      k.zero(h, W);
      addTaps(acc, h, ring.get(p), W, geo.stride, t.row!.offsets, t.row!.weights);
    });
  });
  const outRows = new Map<number, number>();
  for (const t of plan.terms) if (!outRows.has(t.out)) outRows.set(t.out, arena.alloc(W));
  const need = Math.ceil(arena.top / 65536) - k.memory.buffer.byteLength / 65536;
  if (need > 0) k.memory.grow(need);
  const firstOf = plan.terms.map((t, i) => plan.terms.findIndex((u) => u.out === t.out) === i);
  for (const t of plan.terms) out[t.out] ??= new Float32Array(W * geo.height);
  const band = Math.max(1, Math.floor(BAND_PIXELS / W));
  for (let y0 = 0; y0 < geo.height; y0 += band) {
    if (y0 > 0) await new Promise((r) => setTimeout(r, 0)); // lets a cancel message arrive
    throwIfAborted(ctx.signal);
    ctx.onProgress?.({ fraction: 0.05 + (0.8 * y0) / geo.height, label: 'Convolving' });
    for (let i = y0; i < Math.min(geo.height, y0 + band); i++) {
      plan.terms.forEach((t, ti) => {
        const o = outRows.get(t.out)!;
        if (firstOf[ti]) k.zero(o, W);
        termRow(acc, t, o, i * geo.stride, geo, rings.get(t.plane)!, horiz[ti]!);
      });
      const { f32: mem } = views();
      for (const [o, at] of outRows) out[o]!.set(mem.subarray(at / 4, at / 4 + W), i * W);
    }
  }
  throwIfAborted(ctx.signal);
}
