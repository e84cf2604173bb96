/**
 * Convolution filter: pure `(image, options) → image` on tfjs, shared by the worker and the CLI.
 *
 * The image is cut into tiles (kernel halo included, so no seams) that stay under WebGL's texture
 * limit. Inside a tile, each "stream" of the plan (a fast-shaped piece of a kernel on one plane,
 * see filter-plan.ts) is laid out as input channels, one per vertical strip of the tile: a plain
 * 1-channel image would leave the SIMD depthwise kernels 15/16 idle. Borders are applied while the
 * strips are built; the strips' results are summed back into output planes in a fixed order, so
 * the result does not depend on the tiling. On wasm at stride 1 the block path of filter-block.ts
 * replaces the strips (no pixel shuffling in JS: 2–3.5x faster at 12 MP). On tfjs-cpu, whose
 * conv2d is generic JS, the typed-array loops of filter-direct.ts run instead (~5x faster).
 * Wherever WebAssembly SIMD exists, the direct plan runs on the hand-written SIMD kernel of
 * filter-simd.ts instead (same bits as the direct loops) on tfjs-cpu, and on wasm where it beats
 * XNNPACK (useSimd in filter-plan.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { RgbaImage } from '../../core/image';
import { isLongKernel, validateKernel, validateMatrix, rotate180 } from './filter-kernel';
import { borderIndex, filterGeometry, planTiles, DEFAULT_TILE_SIDE, type Geometry, type Tile } from './filter-geometry';
import { combineResponses, mapResponse, responseAbsMax, type RawResponse, type Response } from './filter-map';
import { planeSource, rgbaSource, sourcePlanes, type PlaneSource } from './planes';
import { defaultFilterOptions, type FilterOptions } from './filter-options';
import { planConvolution, planMsPerMp, useSimd, type ConvPlan, type Term } from './filter-plan';
import { planBlocks, runBlockTile } from './filter-block';
import { planDirect, runDirect } from './filter-direct';
import { exactInF32, planTaps, runSimd, type SimdSource } from './filter-simd';
import { simdKernel } from './simd/simd-loader';
import { type JobContext, throwIfAborted } from '../../core/job';

export { validateKernel } from './filter-kernel';
export { borderIndex } from './filter-geometry';
export { mapResponse, type Response } from './filter-map';

/**
 * The step boundary of a cancellable run: a macrotask yield (a worker only reads the cancel
 * message between tasks; awaiting a tensor's data alone never yields on wasm or cpu), then the
 * abort check. Runs without a signal (the CLI) skip the yield.
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise((r) => setTimeout(r, 0));
  throwIfAborted(signal);
}

/** Every kernel of the run (main then extras), checked and all the same size. */
export function kernelsOf(options: FilterOptions): number[][][] {
  const problem = validateKernel(options.kernel);
  if (problem) throw new Error(problem);
  const all = [options.kernel.matrix, ...(options.extraKernels ?? [])];
  const kh = all[0]!.length;
  const kw = all[0]![0]!.length;
  all.forEach((m, i) => {
    const p = validateMatrix(m, `Kernel ${i + 1}`);
    if (p) throw new Error(p);
    if (m.length !== kh || m[0]!.length !== kw) throw new Error(`Kernel ${i + 1} is ${m[0]!.length}x${m.length}; combined kernels must all be ${kw}x${kh}.`);
  });
  if (options.channels === 'sum' && options.channelKernels) {
    options.channelKernels.forEach((m, i) => {
      const p = validateMatrix(m, `The ${'RGB'[i]} kernel`);
      if (p) throw new Error(p);
      if (m.length !== kh || m[0]!.length !== kw) throw new Error(`Per-channel kernels must all be ${kw}x${kh}.`);
    });
  }
  return all;
}

/** Terms of the plan: which kernel on which plane feeds which raw output plane. */
function termsOf(options: FilterOptions, kernels: number[][][]): { terms: Term[]; perKernel: number } {
  const orient = (m: number[][]) => (options.flip ? rotate180(m) : m);
  const terms: Term[] = [];
  const perKernel = options.channels === 'rgb' ? 3 : 1;
  kernels.forEach((k, j) => {
    if (options.channels === 'luma') terms.push({ plane: 0, out: j, matrix: orient(k) });
    else if (options.channels === 'rgb') {
      for (let c = 0; c < 3; c++) if (options.channelMask[c]) terms.push({ plane: c, out: j * 3 + c, matrix: orient(k) });
    } else {
      for (let c = 0; c < 3; c++) {
        const m = j === 0 && options.channelKernels ? options.channelKernels[c]! : k;
        terms.push({ plane: c, out: j, matrix: orient(m) });
      }
    }
  });
  return { terms, perKernel };
}

/** Strip layout of one tile: `strips` strips of `width` conv-grid columns each. */
interface Strips {
  strips: number;
  width: number;
}

function stripsFor(convCols: number, streams: number, pieceExtent: number): Strips {
  // ≥ 16 channels feeds the 4-wide SIMD kernels; strips narrower than the halo would waste work.
  const want = Math.max(1, Math.ceil(16 / streams));
  const most = Math.max(1, Math.floor(convCols / Math.max(8, 2 * pieceExtent)));
  const g0 = Math.min(want, most);
  const width = Math.ceil(convCols / g0);
  return { strips: Math.ceil(convCols / width), width };
}

/** Runs one tile: builds the strip tensor, convolves, and adds the streams into the output planes. */
async function runTile(
  source: PlaneSource, geo: Geometry, plan: ConvPlan, tile: Tile,
  border: FilterOptions['border'], out: Float32Array[], fresh: boolean[],
): Promise<void> {
  const imgW = source.width;
  const imgH = source.height;
  const scratch = new Float32Array(imgW);
  const d = geo.dilation;
  const s = geo.stride;
  // tfjs refuses stride > 1 together with dilation > 1: then stride is taken while un-striping.
  const cs = d === 1 ? s : 1;
  const js = d === 1 ? 1 : s;
  const peh = (plan.ph - 1) * d + 1;
  const pew = (plan.pw - 1) * d + 1;
  const convRows = (tile.rows - 1) * js + 1;
  const convCols = (tile.cols - 1) * js + 1;
  const S = plan.streams.length;
  const { strips: G, width: Ws } = stripsFor(convCols, S, pew);
  const inRows = (convRows - 1) * cs + peh;
  const inCols = (Ws - 1) * cs + pew;
  const C = G * S;
  const buf = new Float32Array(inRows * inCols * C);
  const y0 = tile.oy * s - geo.top;
  const x0 = tile.ox * s - geo.left;
  // Column gather map in output order (column-major over strips), so the writes below are sequential.
  const cm = new Int32Array(inCols * G);
  for (let si = 0; si < S; si++) {
    const st = plan.streams[si]!;
    for (let c = 0; c < inCols; c++) {
      for (let g = 0; g < G; g++) cm[c * G + g] = borderIndex(x0 + g * Ws * cs + st.dx + c, imgW, border);
    }
    for (let r = 0; r < inRows; r++) {
      const sy = borderIndex(y0 + st.dy + r, imgH, border);
      if (sy < 0) continue;
      const src = source.row(st.plane, sy, scratch);
      let di = r * inCols * C + si;
      for (let k = 0; k < cm.length; k++, di += S) {
        const sx = cm[k]!;
        if (sx >= 0) buf[di] = src[sx]!;
      }
    }
  }
  const y = tf.tidy(() => {
    const x = tf.tensor4d(buf, [1, inRows, inCols, C]);
    if (plan.kind === 'dense') {
      const f = new Float32Array(plan.ph * plan.pw * C);
      for (let t = 0; t < plan.ph * plan.pw; t++) {
        for (let si = 0; si < S; si++) {
          const v = plan.streams[si]!.taps[t]!;
          for (let g = 0; g < G; g++) f[t * C + g * S + si] = v;
        }
      }
      return tf.depthwiseConv2d(x, tf.tensor4d(f, [plan.ph, plan.pw, C, 1]), [cs, cs], 'valid', 'NHWC', [d, d]);
    }
    const fv = new Float32Array(plan.ph * C);
    const fh = new Float32Array(plan.pw * C);
    for (let si = 0; si < S; si++) {
      const st = plan.streams[si]!;
      for (let g = 0; g < G; g++) {
        for (let t = 0; t < plan.ph; t++) fv[t * C + g * S + si] = st.taps[t]!;
        for (let t = 0; t < plan.pw; t++) fh[t * C + g * S + si] = st.taps2![t]!;
      }
    }
    const v = tf.depthwiseConv2d(x, tf.tensor4d(fv, [plan.ph, 1, C, 1]), [cs, 1], 'valid', 'NHWC', [d, 1]);
    return tf.depthwiseConv2d(v, tf.tensor4d(fh, [1, plan.pw, C, 1]), [1, cs], 'valid', 'NHWC', [1, d]);
  });
  let vals: Float32Array;
  try {
    vals = (await y.data()) as Float32Array;
  } finally {
    y.dispose();
  }
  const outs = plan.streams.map((st) => out[st.out]!);
  // Where each (column, strip) of a result row lands in the output row; -1 past the tile's edge.
  const dst = new Int32Array(Ws * G);
  for (let x = 0; x < Ws; x++) {
    for (let g = 0; g < G; g++) {
      const cc = g * Ws + x;
      dst[x * G + g] = cc % js === 0 && cc / js < tile.cols ? cc / js : -1;
    }
  }
  // Streams are added in plan order (the first assigns), so sums do not depend on the tiling.
  for (let i = 0; i < tile.rows; i++) {
    const rowBase = i * js * Ws * C;
    const o0 = (tile.oy + i) * geo.width + tile.ox;
    for (let si = 0; si < S; si++) {
      const o = outs[si]!;
      if (fresh[si]) {
        for (let k = 0, v = rowBase + si; k < dst.length; k++, v += S) {
          const d = dst[k]!;
          if (d >= 0) o[o0 + d] = vals[v]!;
        }
      } else {
        for (let k = 0, v = rowBase + si; k < dst.length; k++, v += S) {
          const d = dst[k]!;
          if (d >= 0) o[o0 + d]! += vals[v]!;
        }
      }
    }
  }
}

/** Convolves the planes with every kernel of the options; the core shared by all outputs. */
export async function convolvePlanes(
  planes: Float32Array[], width: number, height: number, options: FilterOptions, ctx: JobContext = {},
): Promise<RawResponse> {
  const source = () => planeSource(planes, width, height);
  return convolveSource(source, { planes: source() }, width, height, options, ctx);
}

/** Convolves an image's planes (luma or RGB, per the channel mode) with every kernel of the options. */
export async function convolveImage(image: RgbaImage, options: FilterOptions, ctx: JobContext = {}): Promise<RawResponse> {
  const luma = options.channels === 'luma';
  // Rows are made on demand; when many pieces reread each row, one precomputed plane is cheaper.
  return convolveSource(
    (streams) => (streams > 2 ? planeSource(sourcePlanes(image, options.channels), image.width, image.height) : rgbaSource(image, luma)),
    { image, luma }, image.width, image.height, options, ctx,
  );
}

async function convolveSource(
  makeSource: (streams: number) => PlaneSource, simdSource: SimdSource, width: number, height: number, options: FilterOptions, ctx: JobContext,
): Promise<RawResponse> {
  const kernels = kernelsOf(options);
  const kh = kernels[0]!.length;
  const kw = kernels[0]![0]!.length;
  const geometry = filterGeometry(height, width, kh, kw, options);
  const { terms, perKernel } = termsOf(options, kernels);
  const backend = tf.getBackend();
  const planeSize = geometry.width * geometry.height;
  // A kernel past the dense limit is rank 1 (validateMatrix) and always runs as two 1-D passes.
  const separable = isLongKernel(kernels[0]!) ? 'always' : options.separable;
  // The SIMD kernel runs the direct plan (same bits); null where WebAssembly SIMD is missing.
  const dp = planDirect(terms, { dilation: options.dilation, separable });
  const work = { taps: planTaps(dp), exactF32: exactInF32(dp, 'image' in simdSource) };
  const simd = useSimd(options.layout, backend, work) ? await simdKernel() : null;
  if (!simd && options.layout === 'simd') throw new Error('The SIMD filter path needs WebAssembly SIMD (and `npm run build`).');
  if (simd) {
    const planesOut: (Float32Array | null)[] = new Array<Float32Array | null>(kernels.length * perKernel).fill(null);
    await runSimd(simd, simdSource, geometry, dp, options.border, planesOut, ctx);
    const raw = planesOut.map((r) => r ?? new Float32Array(planeSize));
    return { geometry, raw, perKernel, kernels: kernels.length, plan: dp };
  }
  if (options.layout === 'direct' || ((options.layout ?? 'auto') === 'auto' && backend === 'cpu')) {
    const planesOut: (Float32Array | null)[] = new Array<Float32Array | null>(kernels.length * perKernel).fill(null);
    await runDirect(makeSource(1), geometry, dp, options.border, planesOut, ctx);
    const raw = planesOut.map((r) => r ?? new Float32Array(planeSize));
    return { geometry, raw, perKernel, kernels: kernels.length, plan: dp };
  }
  const plan = planConvolution(terms, { dilation: options.dilation, separable, backend });
  const block = options.layout === 'strips' ? null : planBlocks(terms, { dilation: options.dilation, stride: options.stride, separable, backend });
  if (block && (options.layout === 'blocks' || block.msPerMp <= planMsPerMp(plan, backend))) {
    const bp = block.plan;
    const planes = new Set(bp.terms.map((t) => t.plane)).size;
    // Each plane is written once per tile; per-row luma is cheaper than a precomputed plane.
    const source = makeSource(1);
    const tiles = planTiles(geometry, options.tileSize > 0 ? Math.max(options.tileSize, Math.max(bp.eh, bp.ew) + 1) : DEFAULT_TILE_SIDE, planes);
    const planesOut: (Float32Array | null)[] = new Array<Float32Array | null>(kernels.length * perKernel).fill(null);
    for (let t = 0; t < tiles.length; t++) {
      await checkpoint(ctx.signal);
      ctx.onProgress?.({ fraction: 0.05 + (0.8 * t) / tiles.length, label: tiles.length > 1 ? `Convolving tile ${t + 1}/${tiles.length}` : 'Convolving' });
      await runBlockTile(source, geometry, bp, tiles[t]!, options.border, planesOut);
    }
    await checkpoint(ctx.signal);
    // Planes no term writes (an R/G/B switched off) stay zero.
    const raw = planesOut.map((r) => r ?? new Float32Array(planeSize));
    return { geometry, raw, perKernel, kernels: kernels.length, plan: bp };
  }
  const raw = Array.from({ length: kernels.length * perKernel }, () => new Float32Array(planeSize));
  const source = makeSource(plan.streams.length);
  // The first stream of each output plane assigns instead of adding (same result, one read less).
  const fresh = plan.streams.map((st, i) => plan.streams.findIndex((o) => o.out === st.out) === i);
  const pieceExtent = Math.max(plan.ph, plan.pw) * options.dilation;
  const tiles = planTiles(geometry, options.tileSize > 0 ? Math.max(options.tileSize, pieceExtent + 1) : DEFAULT_TILE_SIDE, plan.streams.length);
  for (let t = 0; t < tiles.length; t++) {
    await checkpoint(ctx.signal);
    ctx.onProgress?.({ fraction: 0.05 + (0.8 * t) / tiles.length, label: tiles.length > 1 ? `Convolving tile ${t + 1}/${tiles.length}` : 'Convolving' });
    await runTile(source, geometry, plan, tiles[t]!, options.border, raw, fresh);
  }
  await checkpoint(ctx.signal);
  return { geometry, raw, perKernel, kernels: kernels.length, plan };
}

/** Runs the weighted sums and returns the combined signed response (before output mapping). */
export async function convolveResponse(image: RgbaImage, opts: Partial<FilterOptions>, ctx: JobContext = {}): Promise<Response> {
  const options: FilterOptions = { ...defaultFilterOptions, ...opts };
  const kernels = kernelsOf(options);
  if (options.combine === 'max' && kernels.length > 1) {
    // Compass sets fold one kernel at a time: 8 Kirsch kernels on RGB would otherwise hold 24 full planes.
    let acc: Response | null = null;
    for (const [j, m] of kernels.entries()) {
      await checkpoint(ctx.signal);
      const one: FilterOptions = { ...options, kernel: { ...options.kernel, matrix: m }, extraKernels: [], combine: 'none', ...(j > 0 ? { channelKernels: undefined } : {}) };
      const r = combineResponses(await convolveImage(image, one, ctx), one);
      if (!acc) acc = { ...r, values: r.values.slice() };
      else for (let i = 0; i < acc.values.length; i++) if (r.values[i]! > acc.values[i]!) acc.values[i] = r.values[i]!;
    }
    return acc!;
  }
  const r = await convolveImage(image, options, ctx);
  return combineResponses(r, options);
}

/** Filters an image: the compute function behind the Filter panel and `onirique filter`. */
export async function applyFilter(image: RgbaImage, opts: Partial<FilterOptions>, ctx: JobContext = {}): Promise<RgbaImage> {
  const options: FilterOptions = { ...defaultFilterOptions, ...opts };
  const resp = await convolveResponse(image, options, ctx);
  await checkpoint(ctx.signal);
  ctx.onProgress?.({ fraction: 0.9, label: 'Mapping output' });
  const result = mapResponse(resp, image, options);
  await checkpoint(ctx.signal);
  ctx.onProgress?.({ fraction: 1, label: 'Done' });
  return result;
}

/** The whole image's largest |response| (after divisor and offset): the level 'abs-max' maps to 255 on Apply. */
export async function filterAbsMax(image: RgbaImage, opts: Partial<FilterOptions>, ctx: JobContext = {}): Promise<number> {
  const options: FilterOptions = { ...defaultFilterOptions, ...opts };
  const resp = await convolveResponse(image, options, ctx);
  await checkpoint(ctx.signal);
  return responseAbsMax(resp, options);
}
