/**
 * Deep Dream: gradient ascent on the image to raise chosen activations, over octaves (smallest
 * first, the detail gained carried up to the next size, as in the original deepdream), with a
 * seeded roll every step, tiled gradients for large photos and a feathered mask. The octaves run
 * up to a working size (the photo divided by the pattern size); the detail gained there is carried
 * up to the full photo the same way. Pure: the input image is never written; shared by the worker and the CLI.
 */
import * as tf from '@tensorflow/tfjs';
import type { RgbaImage } from '../../core/image';
import { type JobContext, type JobProgress, throwIfAborted } from '../../core/job';
import { resamplePilBilinear } from '../../core/resample';
import { compose, composeDetail, type FloatImage, preview } from './compose';
import { type DreamOptions, resolveDreamOptions, resolvePatternSize } from './dream-options';
import { ascend, measureObjective, type OctaveImage, tiledGradient } from './gradient';
import { guideFeatures, type GuideFeatures } from './guide';
import { type DreamMask, featherMask, maskCoverage } from './mask';
import { buildObjective, type DreamNet } from './objective';
import { mulberry32, randInt } from '../../core/prng';
import { octaveSizes, workingSize } from './octaves';

/** Objective of one octave before its first step and after its last (when options.measure). */
export interface OctaveStat {
  width: number;
  height: number;
  before: number;
  after: number;
}

/** The dreamed image and what the run did. */
export interface DreamResult {
  image: RgbaImage;
  octaves: OctaveStat[];
  /** Network tile passes run in total (tiles outside the mask are not run). */
  tiles: number;
  /** The pattern size used (photo pixels per network pixel) and the size the network dreamt at. */
  patternSize: number;
  working: { width: number; height: number };
}

const nextTask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Blend weight per full-size pixel: feathered mask times strength (null: strength everywhere). */
function blendWeights(mask: DreamMask | null, w: number, h: number, o: DreamOptions): Float32Array | null {
  if (!mask) return null;
  if (mask.length !== w * h) throw new Error(`The mask has ${mask.length} values; the image has ${w * h} pixels.`);
  return featherMask(mask, w, h, o.feather);
}

/** What every octave of one `dream` run shares; `tiles` and `stepsDone` advance as steps run. */
interface DreamRun {
  image: RgbaImage;
  o: DreamOptions;
  net: DreamNet;
  lo: number;
  hi: number;
  scale: number;
  align: number;
  weights: Float32Array | null;
  octaves: number;
  totalSteps: number;
  rand: () => number;
  ctx: JobContext;
  tiles: number;
  stepsDone: number;
  guide: GuideFeatures | null;
}

/** An octave's starting image: the photo at w×h in network range, plus the detail the smaller octave gained (clamped). */
function octaveStart(run: DreamRun, w: number, h: number, detail: FloatImage | null, last: boolean): { base: Float32Array; data: Float32Array } {
  const { image, scale, lo, hi } = run;
  const base = resamplePilBilinear({ data: image.data, width: image.width, height: image.height, stride: 4 }, 3, w, h, scale, lo);
  // The last octave needs no detail afterwards, so it dreams on `base` itself (saves a full copy).
  const data = last ? base : new Float32Array(base);
  if (detail) {
    const up = resamplePilBilinear({ ...detail, stride: 3 }, 3, w, h);
    for (let i = 0; i < data.length; i++) data[i] = Math.min(hi, Math.max(lo, data[i]! + up[i]!));
  }
  return { base, data };
}

/** The gradient-ascent steps of octave `oi` on `img`, with progress (and a preview) after each. */
async function octaveSteps(run: DreamRun, img: OctaveImage, gradFn: (x: tf.Tensor) => tf.Tensor, oi: number): Promise<void> {
  const { o, ctx, rand, align, lo, hi } = run;
  const { width: w, height: h } = img;
  const grad = new Float32Array(w * h * 3);
  for (let s = 0; s < o.steps; s++) {
    throwIfAborted(ctx.signal);
    // Drawn every step whatever the tiling, so tiled and untiled runs share the same jitter.
    const plan = {
      dy: randInt(rand, -o.jitter, o.jitter),
      dx: randInt(rand, -o.jitter, o.jitter),
      oy: randInt(rand, 0, o.tile - 1),
      ox: randInt(rand, 0, o.tile - 1),
    };
    const label = `Octave ${oi + 1}/${run.octaves} (${w}x${h}), step ${s + 1}/${o.steps}`;
    run.tiles += await tiledGradient(img, gradFn, grad, { tile: o.tile, overlap: o.tileOverlap, align }, plan, ctx.signal, (d, n) => {
      if (n > 1) ctx.onProgress?.({ fraction: (run.stepsDone + d / n) / run.totalSteps, label: `${label}, tile ${d}/${n}` });
    });
    ascend(img, grad, o.stepSize, o.normalize, lo, hi);
    run.stepsDone++;
    const progress: JobProgress = { fraction: run.stepsDone / run.totalSteps, label };
    if (o.previewSize > 0 && ctx.onProgress) progress.preview = preview(run.image, img, run.weights, o.strength, o.previewSize, lo, run.scale);
    ctx.onProgress?.(progress);
    // Let a Cancel message (or any other event) in between steps.
    await nextTask();
  }
}

/** Runs the octaves up to the working size; returns the last octave's image and, when it is smaller than the photo, its base (for the detail). */
async function runOctaves(run: DreamRun, sizes: { width: number; height: number }[], stats: OctaveStat[]): Promise<{ dreamed: Float32Array; base: Float32Array | null }> {
  const { o, ctx, weights, image } = run;
  const full = sizes[sizes.length - 1]!.width === image.width && sizes[sizes.length - 1]!.height === image.height;
  let detail: FloatImage | null = null;
  for (let oi = 0; ; oi++) {
    throwIfAborted(ctx.signal);
    const { width: w, height: h } = sizes[oi]!;
    const last = oi === sizes.length - 1;
    // At full size the last octave dreams on its base in place; below it the base is kept for the detail.
    const { base, data } = octaveStart(run, w, h, detail, last && full);
    const img: OctaveImage = { data, width: w, height: h, cover: weights ? maskCoverage(weights, image.width, image.height, w, h) : null };
    const objective = buildObjective(run.net, o, { octavePixels: w * h }, run.guide);
    const gradFn = tf.grad((x: tf.Tensor) => objective(x as tf.Tensor4D));
    const before = o.measure ? measureObjective(img, objective, o.tile, run.align) : NaN;
    await octaveSteps(run, img, gradFn, oi);
    if (o.measure) stats.push({ width: w, height: h, before, after: measureObjective(img, objective, o.tile, run.align) });
    if (last) return { dreamed: data, base: full ? null : base };
    for (let i = 0; i < data.length; i++) data[i] = data[i]! - base[i]!;
    detail = { data, width: w, height: h };
  }
}

/**
 * Dreams `image` (8-bit RGBA, never modified) where `mask` (one value per pixel, null = everywhere) is
 * set, climbing the options' objective on `net`. Reports progress after every step and stops
 * with AbortError between steps (and between tiles) when ctx.signal is aborted.
 */
export async function dream(
  image: RgbaImage,
  mask: DreamMask | null,
  options: Partial<DreamOptions>,
  net: DreamNet,
  ctx: JobContext = {},
): Promise<DreamResult> {
  const o = resolveDreamOptions(options);
  const { width: W, height: H } = image;
  if (W < 1 || H < 1 || image.data.length !== W * H * 4) throw new Error('The image buffer does not match its size.');
  const [lo, hi] = net.inputRange ?? [-1, 1];
  const weights = blendWeights(mask, W, H, o);
  const patternSize = resolvePatternSize(o.patternSize, W, H);
  const working = workingSize(W, H, patternSize, o.minOctaveSize);
  const sizes = octaveSizes(working.width, working.height, o.octaves, o.octaveScale, o.minOctaveSize);
  const nothingToDo = o.steps === 0 || o.stepSize === 0 || o.strength === 0 || (weights !== null && !weights.some((v) => v > 0));
  if (nothingToDo) return { image: { width: W, height: H, data: new Uint8ClampedArray(image.data) }, octaves: [], tiles: 0, patternSize, working };

  const scale = (hi - lo) / 255;
  const guide = o.guide ? guideFeatures(net, o.guide, o.layers) : null;
  const run: DreamRun = { image, o, net, lo, hi, scale, align: net.alignment ?? 32, weights, octaves: sizes.length, totalSteps: sizes.length * o.steps, rand: mulberry32(o.seed), ctx, tiles: 0, stepsDone: 0, guide };
  const stats: OctaveStat[] = [];
  try {
    const { dreamed, base } = await runOctaves(run, sizes, stats);
    throwIfAborted(ctx.signal);
    if (!base) return { image: compose(image, dreamed, weights, o.strength, lo, scale), octaves: stats, tiles: run.tiles, patternSize, working };
    for (let i = 0; i < dreamed.length; i++) dreamed[i] = dreamed[i]! - base[i]!;
    const out = composeDetail(image, { data: dreamed, ...working }, weights, o.strength, scale);
    return { image: out, octaves: stats, tiles: run.tiles, patternSize, working };
  } finally {
    guide?.dispose();
  }
}
