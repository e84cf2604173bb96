/**
 * Block-reshape convolution: the tfjs-wasm path that moves no pixels in JS.
 *
 * A row-major [H, W] plane viewed as [1, H, W/B, B] costs nothing, and a kh x kw correlation of
 * the plane equals a plain conv2d of that view with a "block kernel" [kh, nb, B, B],
 * nb = 1 + ceil((kw - 1) / B): W[dy, dj, p, q] = K[dy, dj·B + p − q], zero outside the kernel
 * (output lane q of block j is pixel j·B + q; its taps come from blocks j..j+nb-1). XNNPACK runs
 * that small dense conv at full SIMD width. A vertical 1-D pass needs no block kernel: it is a
 * depthwise conv of the same view, each lane being one column (so separable kernels run the
 * horizontal block conv, then the vertical depthwise one). The strip layout of filter-plan.ts
 * spent ~2/3 of a 3x3 run transposing pixels in JS; here JS only writes rows (luma fused in).
 *
 * Measured on a 12 MP plane (tfjs-wasm 4.22, SIMD, one thread, 2026-11-26), conv2d with
 * B = 4 / 8 / 16: [3,2,B,B] 195 / 155 / 234 ms, [15,nb,B,B] 990 / 573 / 947 ms, [1,2,B,B]
 * 118 / 98 / 104 ms: per multiply-add B = 8 and 16 run ~2.5x faster than B = 4, and B = 8 wastes
 * fewer taps, so `laneCost` below prices each B from those runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { PlaneSource } from './planes';
import { separateKernel } from './filter-kernel';
import { borderIndex, type Geometry, type Tile } from './filter-geometry';
import type { BorderMode, SeparableMode } from './filter-options';
import type { Term } from './filter-plan';

/** One kernel on one plane, summed into one output plane, in block form. */
export interface BlockTerm {
  plane: number;
  out: number;
  /** Dense: the dilated kernel (eh rows of ew taps). */
  matrix?: number[][];
  /** Separable: the dilated vertical (eh) and horizontal (ew) taps; an empty pass is skipped. */
  col?: number[];
  row?: number[];
}

/** A block-reshape run: every term as one dense block conv, or a horizontal block conv then a vertical depthwise one. */
export interface BlockPlan {
  kind: 'block';
  separable: boolean;
  /** Lanes per block of the horizontal (block) convolution. */
  lanes: number;
  /** Kernel extent after dilation. */
  eh: number;
  ew: number;
  terms: BlockTerm[];
}

/** Widest kernel extent (after dilation) the block path takes; beyond, its zero taps cost too much. */
export const MAX_BLOCK_EXTENT = 64;
/** Tap counts XNNPACK's depthwise conv has fast kernels for (others are 5–30x slower). */
const FAST_DW_TAPS = [3, 4, 9, 25];
/** Relative cost of one multiply-add per lane count, from the runs in the header. */
const laneCost: Record<number, number> = { 4: 2.75, 8: 1, 16: 0.95 };

/** Blocks a horizontal extent of `ew` taps spans with B lanes. */
export function blocksFor(ew: number, lanes: number): number {
  return 1 + Math.ceil((ew - 1) / lanes);
}

/** The [kh, nb, B, B] block kernel (tfjs filter layout [fh, fw, in, out]) of a kh x kw matrix. */
export function blockKernel(m: number[][], lanes: number): Float32Array {
  const kh = m.length;
  const kw = m[0]!.length;
  const nb = blocksFor(kw, lanes);
  const f = new Float32Array(kh * nb * lanes * lanes);
  for (let dy = 0; dy < kh; dy++) {
    for (let dj = 0; dj < nb; dj++) {
      for (let p = 0; p < lanes; p++) {
        for (let q = 0; q < lanes; q++) {
          const kx = dj * lanes + p - q;
          if (kx >= 0 && kx < kw) f[((dy * nb + dj) * lanes + p) * lanes + q] = m[dy]![kx]!;
        }
      }
    }
  }
  return f;
}

function dilate(v: number[], d: number): number[] {
  const out = new Array<number>((v.length - 1) * d + 1).fill(0);
  v.forEach((x, i) => (out[i * d] = x));
  return out;
}

function dilateMatrix(m: number[][], d: number): number[][] {
  const ew = (m[0]!.length - 1) * d + 1;
  return Array.from({ length: (m.length - 1) * d + 1 }, (_, i) => (i % d === 0 ? dilate(m[i / d]!, d) : new Array<number>(ew).fill(0)));
}

/** Pieces of ≤ 25 vertical taps, each zero-padded to a fast depthwise length. */
function verticalPieces(col: number[]): { off: number; taps: number[] }[] {
  const pieces: { off: number; taps: number[] }[] = [];
  for (let off = 0; off < col.length; off += 25) {
    const part = col.slice(off, off + 25);
    const len = FAST_DW_TAPS.find((n) => n >= part.length)!;
    pieces.push({ off, taps: [...part, ...new Array<number>(len - part.length).fill(0)] });
  }
  return pieces;
}

function bestLanes(rows: number, ew: number): { lanes: number; cost: number } {
  let best = { lanes: 8, cost: Infinity };
  for (const lanes of [4, 8, 16]) {
    const cost = rows * blocksFor(ew, lanes) * lanes * laneCost[lanes]!;
    if (cost < best.cost) best = { lanes, cost };
  }
  return best;
}

/**
 * Plans the block path for the terms (all kernels the same size), or returns null where it does
 * not apply: another backend than wasm (on tfjs-cpu a 12 MP 3x3 took 1420 ms this way, 1019 ms in
 * strips), stride > 1 (strips take every s-th pixel for free), or an extent over
 * MAX_BLOCK_EXTENT. Cost is in ms per megapixel, comparable with filter-plan's planMsPerMp.
 */
export function planBlocks(
  terms: Term[], opts: { dilation: number; stride: number; separable: SeparableMode; backend: string },
): { plan: BlockPlan; msPerMp: number } | null {
  if (opts.backend !== 'wasm' || opts.stride !== 1 || terms.length === 0) return null;
  const d = opts.dilation;
  const kh = terms[0]!.matrix.length;
  const kw = terms[0]!.matrix[0]!.length;
  const eh = (kh - 1) * d + 1;
  const ew = (kw - 1) * d + 1;
  if (eh > MAX_BLOCK_EXTENT || ew > MAX_BLOCK_EXTENT) return null;
  // One unit (a multiply-add per pixel at B = 8) ≈ 0.18 ms/MP; each term also writes and reads its planes.
  const msPerUnit = 0.18;
  const perTerm = 3;
  const dense = bestLanes(eh, ew);
  const denseMs = terms.length * (perTerm + dense.cost * msPerUnit);
  const seps = opts.separable === 'never' ? null : terms.map((t) => separateKernel(t.matrix));
  const sepOk = seps !== null && seps.every((s) => s !== null);
  const horiz = ew > 1 ? bestLanes(1, ew) : { lanes: 8, cost: 0 };
  const vert = eh > 1 ? verticalPieces(new Array<number>(eh).fill(1)).reduce((a, p) => a + 5 + p.taps.length, 0) : 0;
  const sepMs = terms.length * (perTerm + (vert + horiz.cost) * msPerUnit);
  if (sepOk && (opts.separable === 'always' || sepMs < denseMs)) {
    const bt = terms.map((t, i) => {
      const col = dilate(seps[i]!.col, d);
      const row = dilate(seps[i]!.row, d);
      // A 1-tap pass is a scale: fold it into the other pass and skip it.
      if (row.length === 1) return { plane: t.plane, out: t.out, col: col.map((v) => v * row[0]!), row: [] };
      if (col.length === 1) return { plane: t.plane, out: t.out, col: [], row: row.map((v) => v * col[0]!) };
      return { plane: t.plane, out: t.out, col, row };
    });
    return { plan: { kind: 'block', separable: true, lanes: horiz.lanes, eh, ew, terms: bt }, msPerMp: sepMs };
  }
  const bt = terms.map((t) => ({ plane: t.plane, out: t.out, matrix: dilateMatrix(t.matrix, d) }));
  return { plan: { kind: 'block', separable: false, lanes: dense.lanes, eh, ew, terms: bt }, msPerMp: denseMs };
}

/** Lanes of the vertical depthwise pass: 32 channels ran fastest, 16 nearly as fast. */
function verticalLanes(w: number): number {
  return w % 32 === 0 ? 32 : 16;
}

/**
 * Horizontal then vertical pass of one separable term on a plane view [1, inRows, inW/B, B];
 * the result is [1, rows, ., .] holding `wo` columns per row.
 */
function separableConv(x: tf.Tensor4D, t: BlockTerm, rows: number, wo: number, lanes: number): tf.Tensor4D {
  const inRows = x.shape[1];
  const h = t.row!.length === 0 ? x
    : tf.conv2d<tf.Tensor4D>(x, tf.tensor4d(blockKernel([t.row!], lanes), [1, blocksFor(t.row!.length, lanes), lanes, lanes]), 1, 'valid');
  if (t.col!.length === 0) return h;
  const vl = verticalLanes(wo);
  const hv = h.reshape<tf.Tensor4D>([1, inRows, wo / vl, vl]);
  let acc: tf.Tensor4D | null = null;
  for (const { off, taps } of verticalPieces(t.col!)) {
    const need = rows + taps.length - 1;
    const xin = off === 0 && inRows === need ? hv : tf.slice(hv, [0, off, 0, 0], [1, need, wo / vl, vl]);
    const f = new Float32Array(taps.length * vl);
    taps.forEach((w, i) => f.fill(w, i * vl, (i + 1) * vl));
    const y = tf.depthwiseConv2d(xin, tf.tensor4d(f, [taps.length, 1, vl, 1]), 1, 'valid');
    if (xin !== hv) xin.dispose();
    acc = acc ? addFreeing(acc, y) : y;
  }
  hv.dispose();
  if (h !== x) h.dispose();
  return acc!;
}

/** a + b, freeing both at once: a tidy would keep every full-size intermediate until its end. */
function addFreeing(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  const s = tf.add<tf.Tensor4D>(a, b);
  a.dispose();
  b.dispose();
  return s;
}

/**
 * Runs one tile of a block plan: writes each plane's rows (with border rows and columns) into a
 * [rows + halo, inW] buffer, convolves its free [1, rows, inW/B, B] view, sums terms per output in
 * plan order (so results do not depend on the tiling) and copies the result rows out. Output
 * planes still null are allocated here; a tile that is the whole output hands over its array.
 */
export async function runBlockTile(
  source: PlaneSource, geo: Geometry, plan: BlockPlan, tile: Tile, border: BorderMode, out: (Float32Array | null)[],
): Promise<void> {
  const { width: imgW, height: imgH } = source;
  const { lanes, eh, ew } = plan;
  const nb = blocksFor(ew, lanes);
  const rows = tile.rows;
  const needRows = rows + eh - 1;
  const needCols = tile.cols + ew - 1;
  let inRows = needRows;
  if (plan.separable) {
    for (const t of plan.terms) for (const p of verticalPieces(t.col!)) inRows = Math.max(inRows, p.off + rows + p.taps.length - 1);
  }
  // Output columns per row: whole blocks (and whole 16-lane groups for the vertical pass); when
  // that is the output width, the read-back array becomes the output plane with no copy.
  const wo = plan.separable ? Math.ceil(tile.cols / 16) * 16 : Math.ceil(tile.cols / lanes) * lanes;
  const inW = wo + (nb - 1) * lanes;
  const x0 = tile.ox - geo.left;
  const y0 = tile.oy - geo.top;
  const xa = Math.max(0, x0);
  const xb = Math.min(imgW, x0 + needCols);
  // Columns of the row made up by the border mode: [buffer column, source column or -1].
  const edge: number[] = [];
  for (let c = 0; c < needCols; c++) {
    const x = x0 + c;
    if (x < 0 || x >= imgW) edge.push(c, borderIndex(x, imgW, border));
  }
  const planes = [...new Set(plan.terms.map((t) => t.plane))];
  const scratch = new Float32Array(imgW);
  const bufs = planes.map((p) => {
    const buf = new Float32Array(inRows * inW);
    for (let r = 0; r < needRows; r++) {
      const sy = borderIndex(y0 + r, imgH, border);
      if (sy < 0) continue;
      const base = r * inW;
      let src: Float32Array;
      if (xa === 0 && xb === imgW) {
        // The whole row lands in the buffer: the source (luma included) writes it there directly.
        const dst = buf.subarray(base - x0, base - x0 + imgW);
        src = source.row(p, sy, dst);
        if (src !== dst) dst.set(src);
      } else {
        src = source.row(p, sy, scratch);
        if (xb > xa) buf.set(src.subarray(xa, xb), base + xa - x0);
      }
      for (let k = 0; k < edge.length; k += 2) if (edge[k + 1]! >= 0) buf[base + edge[k]!] = src[edge[k + 1]!]!;
    }
    return buf;
  });
  const outs = [...new Set(plan.terms.map((t) => t.out))];
  const ys = tf.tidy(() => {
    const views = planes.map((_, i) => tf.tensor4d(bufs[i]!, [1, inRows, inW / lanes, lanes]));
    const sums = new Map<number, tf.Tensor4D>();
    plan.terms.forEach((t, i) => {
      const pi = planes.indexOf(t.plane);
      const x = views[pi]!;
      const y = plan.separable
        ? separableConv(x, t, rows, wo, lanes)
        : tf.conv2d<tf.Tensor4D>(x, tf.tensor4d(blockKernel(t.matrix!, lanes), [eh, nb, lanes, lanes]), 1, 'valid');
      const prev = sums.get(t.out);
      sums.set(t.out, prev ? addFreeing(prev, y) : y);
      // A plane no later term reads is freed now, keeping the wasm heap's peak (it never shrinks) low.
      if (!plan.terms.slice(i + 1).some((u) => u.plane === t.plane)) x.dispose();
    });
    return outs.map((o) => sums.get(o)!);
  });
  try {
    for (let i = 0; i < outs.length; i++) {
      const y = ys[i]!;
      const o = outs[i]!;
      const vals = (await y.data()) as Float32Array;
      // A tile that is the whole output, without padding columns: the read-back array is the plane.
      // (Cropping them in tfjs is no cheaper: wasm's strided slice runs in JS, ~4x a row copy.)
      if (wo === geo.width && tile.rows === geo.height && vals.length === geo.width * geo.height) {
        out[o] = vals;
        continue;
      }
      const plane = (out[o] ??= new Float32Array(geo.width * geo.height));
      for (let r = 0; r < rows; r++) plane.set(vals.subarray(r * wo, r * wo + tile.cols), (tile.oy + r) * geo.width + tile.ox);
    }
  } finally {
    ys.forEach((y) => y.dispose());
  }
}
