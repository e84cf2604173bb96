/**
 * Deep Dream: gradient ascent on the image to raise chosen activations, over octaves (smallest
 * first, the detail gained carried up to the next size, as in the original deepdream), with a
 * seeded roll every step, tiled gradients for large photos and a feathered mask. Pure: the input
 * image is never written; shared by the worker and the CLI.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rgba } from '../../protocol';
import { type JobContext, type JobProgress, throwIfAborted } from '../job';
import { type DreamOptions, resolveDreamOptions } from './dream-options';
import { ascend, measureObjective, type OctaveImage, tiledGradient } from './gradient';
import { type DreamMask, featherMask, maskCoverage } from './mask';
import { buildObjective, type DreamNet } from './objective';
import { mulberry32, randInt } from './prng';
import { octaveSizes, resamplePlanes } from './resample';

/** Objective of one octave before its first step and after its last (when options.measure). */
export interface OctaveStat {
  width: number;
  height: number;
  before: number;
  after: number;
}

/** The dreamed image and what the run did. */
export interface DreamResult {
  image: Rgba;
  octaves: OctaveStat[];
  /** Network tile passes run in total (tiles outside the mask are not run). */
  tiles: number;
}

/** Progress with the preview the worker forwards to the panel. */
export interface DreamProgress extends JobProgress {
  preview?: Rgba;
}

const nextTask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Blend weight per full-size pixel: feathered mask times strength (null: strength everywhere). */
function blendWeights(mask: DreamMask | null, w: number, h: number, o: DreamOptions): Float32Array | null {
  if (!mask) return null;
  if (mask.length !== w * h) throw new Error(`The mask has ${mask.length} values; the image has ${w * h} pixels.`);
  return featherMask(mask, w, h, o.feather);
}

/** Downscaled view of the current state, blended over the original like the final result. */
function preview(image: Rgba, img: OctaveImage, weights: Float32Array | null, o: DreamOptions, lo: number, scale: number): Rgba {
  const { width: W, height: H } = image;
  const f = Math.min(1, o.previewSize / Math.max(W, H));
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
      const a = (weights ? weights[fy * W + fx]! : 1) * o.strength;
      const q = (oy * img.width + ox) * 3;
      const d = (y * pw + x) * 4;
      for (let c = 0; c < 3; c++) data[d + c] = image.data[s + c]! * (1 - a) + ((img.data[q + c]! - lo) / scale) * a;
      data[d + 3] = image.data[s + 3]!;
    }
  }
  return { width: pw, height: ph, data };
}

/** Final 8-bit image: original * (1 - a) + dream * a; pixels with a = 0 keep their exact bytes. */
function compose(image: Rgba, dreamed: Float32Array, weights: Float32Array | null, strength: number, lo: number, scale: number): Rgba {
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

/**
 * Dreams `image` (8-bit RGBA, never modified) where `mask` (one value per pixel, null = everywhere) is
 * set, climbing the options' objective on `net`. Reports progress after every step and stops
 * with AbortError between steps (and between tiles) when ctx.signal is aborted.
 */
export async function dream(
  image: Rgba,
  mask: DreamMask | null,
  options: Partial<DreamOptions>,
  net: DreamNet,
  ctx: JobContext = {},
): Promise<DreamResult> {
  const o = resolveDreamOptions(options);
  const { width: W, height: H } = image;
  if (W < 1 || H < 1 || image.data.length !== W * H * 4) throw new Error('The image buffer does not match its size.');
  const [lo, hi] = net.inputRange ?? [-1, 1];
  const scale = (hi - lo) / 255;
  const align = net.alignment ?? 32;
  const weights = blendWeights(mask, W, H, o);
  const sizes = octaveSizes(W, H, o.octaves, o.octaveScale, o.minOctaveSize);
  const totalSteps = sizes.length * o.steps;
  const nothingToDo = o.steps === 0 || o.stepSize === 0 || o.strength === 0 || (weights !== null && !weights.some((v) => v > 0));
  if (nothingToDo) return { image: { width: W, height: H, data: new Uint8ClampedArray(image.data) }, octaves: [], tiles: 0 };

  const rand = mulberry32(o.seed);
  const stats: OctaveStat[] = [];
  const source = { data: image.data, width: W, height: H, stride: 4 };
  let detail: { data: Float32Array; width: number; height: number } | null = null;
  let tiles = 0;
  let stepsDone = 0;
  let dreamed: Float32Array | null = null;

  for (let oi = 0; oi < sizes.length; oi++) {
    throwIfAborted(ctx.signal);
    const { width: w, height: h } = sizes[oi]!;
    const last = oi === sizes.length - 1;
    const base = resamplePlanes(source, 3, w, h, scale, lo);
    // The last octave needs no detail afterwards, so it dreams on `base` itself (saves a full copy).
    const data = last ? base : new Float32Array(base);
    if (detail) {
      const up = resamplePlanes({ ...detail, stride: 3 }, 3, w, h);
      for (let i = 0; i < data.length; i++) data[i] = Math.min(hi, Math.max(lo, data[i]! + up[i]!));
      detail = null;
    }
    const img: OctaveImage = { data, width: w, height: h, cover: weights ? maskCoverage(weights, W, H, w, h) : null };
    const objective = buildObjective(net, o, { octavePixels: w * h });
    const gradFn = tf.grad((x: tf.Tensor) => objective(x as tf.Tensor4D));
    const before = o.measure ? measureObjective(img, objective, o.tile, align) : NaN;
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
      const label = `Octave ${oi + 1}/${sizes.length} (${w}x${h}), step ${s + 1}/${o.steps}`;
      tiles += await tiledGradient(img, gradFn, grad, { tile: o.tile, overlap: o.tileOverlap, align }, plan, ctx.signal, (d, n) => {
        if (n > 1) ctx.onProgress?.({ fraction: (stepsDone + d / n) / totalSteps, label: `${label}, tile ${d}/${n}` });
      });
      ascend(img, grad, o.stepSize, o.normalize, lo, hi);
      stepsDone++;
      const progress: DreamProgress = { fraction: stepsDone / totalSteps, label };
      if (o.previewSize > 0 && ctx.onProgress) progress.preview = preview(image, img, weights, o, lo, scale);
      ctx.onProgress?.(progress);
      // Let a Cancel message (or any other event) in between steps.
      await nextTask();
    }
    if (o.measure) stats.push({ width: w, height: h, before, after: measureObjective(img, objective, o.tile, align) });
    if (last) dreamed = data;
    else {
      for (let i = 0; i < data.length; i++) data[i] = data[i]! - base[i]!;
      detail = { data, width: w, height: h };
    }
  }
  throwIfAborted(ctx.signal);
  return { image: compose(image, dreamed!, weights, o.strength, lo, scale), octaves: stats, tiles };
}
