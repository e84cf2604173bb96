/**
 * The Explain computations on a whole photo: classify, CAM (Grad-CAM family) landed on the
 * photo's own geometry at full resolution, guided Grad-CAM image, feature-map grid.
 * Pure `(net, photo, options, ctx?) → result`; they run in the worker and in the Node CLI.
 */
import type * as tf from '@tensorflow/tfjs';
import { throwIfAborted, type JobContext } from '../../core/job';
import type { PlainNet } from '../../core/net/plain-net';
import { camGrid, guidedBackprop, topClasses, type CamGrid } from './cam-core';
import { defaultExplainOptions, perChannelMethods, type ExplainOptions } from './explain-options';
import type { Rect, RgbaImage } from '../../core/image';
import { resampleCv2, resampleMapCv2 } from '../../core/resample';
import { camScaled, flipMapX, normalized01 } from './cam-maps';
import { planViews, viewInput } from './views';

/** One class with its probability. */
export interface ClassScore {
  index: number;
  label: string;
  prob: number;
}

/** Result of `classifyImage`. */
export interface ClassifyResult {
  top: ClassScore[];
}

/** Result of `explainCam`; maps are row-major at the photo's width×height. */
export interface CamResult {
  classIndex: number;
  label: string;
  /** Probability of the class on the first view. */
  prob: number;
  layer: string;
  method: ExplainOptions['method'];
  width: number;
  height: number;
  /** CAM as computed (ReLU'd weighted activations, upsampled), before normalisation: the .npy export. */
  raw: Float32Array;
  /** `raw` min-max normalised to 0..1: what gets coloured. */
  heat: Float32Array;
  /** The CAM grid of the first view on the target layer (e.g. 7×7). */
  grid: CamGrid;
  /** Guided Grad-CAM image (method 'guided' only), RGBA at the photo's size. */
  guided?: { width: number; height: number; data: Uint8ClampedArray };
  /** Photo rectangles the network saw. */
  views: Rect[];
}

/** Top-k classes of the photo seen through the fit mode's first view. */
export async function classifyImage(net: PlainNet, photo: RgbaImage, opts: Partial<ExplainOptions> = {}): Promise<ClassifyResult> {
  const o = { ...defaultExplainOptions, ...opts };
  const [view] = planViews(photo.width, photo.height, o.fit === 'tiles' ? 'resize' : o.fit, o.tilesAcross);
  const x = viewInput(net, photo, view!);
  try {
    return { top: await topClasses(net, x, o.topK) };
  } finally {
    x.dispose();
  }
}

/** The target layer's activation of a view at the model's input size, unflipped. */
function firstViewActivation(net: PlainNet, photo: RgbaImage, rect: Rect, layer: string): tf.Tensor4D {
  const x = viewInput(net, photo, rect);
  try {
    return net.forward(x, [layer])[0] as tf.Tensor4D;
  } finally {
    x.dispose();
  }
}

/** pytorch-grad-cam's deprocess_image: standardise, ×0.1, +0.5, clip to 0..1, as 0..255. */
function deprocess(v: Float32Array): Float32Array {
  let mean = 0;
  for (const a of v) mean += a;
  mean /= v.length || 1;
  let sd = 0;
  for (const a of v) sd += (a - mean) ** 2;
  sd = Math.sqrt(sd / (v.length || 1));
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.min(1, Math.max(0, ((v[i]! - mean) / (sd + 1e-5)) * 0.1 + 0.5)) * 255;
  return out;
}

/**
 * Adds a map (mapW×mapH) upsampled onto `rect` of the accumulators; with `first`, a map covering
 * the whole photo is upsampled straight into `sum` (the one-view case: no second full-size array).
 */
function accumulate(sum: Float32Array, count: Float32Array, W: number, H: number, map: Float32Array, mapW: number, mapH: number, rect: Rect, channels = 1, first = false): void {
  const x0 = Math.round(rect.x);
  const y0 = Math.round(rect.y);
  const w = Math.min(W - x0, Math.round(rect.w));
  const h = Math.min(H - y0, Math.round(rect.h));
  const whole = x0 === 0 && y0 === 0 && w === W && h === H;
  if (first && whole && !count.length) {
    resampleCv2(map, mapW, mapH, channels, channels, { x: 0, y: 0, w: mapW, h: mapH }, w, h, sum);
    return;
  }
  const up = resampleCv2(map, mapW, mapH, channels, channels, { x: 0, y: 0, w: mapW, h: mapH }, w, h);
  // Row by row over contiguous runs (a 16 MP CAM: ~30 ms, was ~250 ms per pixel and channel).
  const rowLen = w * channels;
  for (let y = 0; y < h; y++) {
    const dst = sum.subarray(((y + y0) * W + x0) * channels, ((y + y0) * W + x0) * channels + rowLen);
    const src = up.subarray(y * rowLen, (y + 1) * rowLen);
    for (let i = 0; i < rowLen; i++) dst[i]! += src[i]!;
    if (count.length) {
      const c = count.subarray((y + y0) * W + x0, (y + y0) * W + x0 + w);
      for (let x = 0; x < w; x++) c[x]! += 1;
    }
  }
}

/** The first view's class scores, the class to explain and, when reusable, the first view's activation. */
async function firstViewClass(
  net: PlainNet,
  photo: RgbaImage,
  o: ExplainOptions,
  firstRect: Rect,
  layer: string,
): Promise<{ shared: tf.Tensor4D | null; classIndex: number; prob: number }> {
  // The first view at scale 1, unflipped, is the classify input unless the fit tiles the photo:
  // its target-layer activation then serves both the class scores and the first CAM, so one
  // forward pass of the trunk is saved.
  const shared = o.fit !== 'tiles' && o.method !== 'scorecam' ? firstViewActivation(net, photo, firstRect, layer) : null;
  let first: ClassifyResult;
  try {
    first = shared ? { top: await topClasses(net, shared, net.numClasses, layer) } : await classifyImage(net, photo, { ...o, topK: net.numClasses });
  } catch (e) {
    shared?.dispose();
    throw e;
  }
  const classIndex = o.classIndex === 'auto' ? first.top[0]!.index : o.classIndex;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= net.numClasses) {
    shared?.dispose();
    throw new Error(`class ${classIndex} is outside 0..${net.numClasses - 1}`);
  }
  const prob = first.top.find((c) => c.index === classIndex)?.prob ?? 0;
  return { shared, classIndex, prob };
}

/** What every pass of one `explainCam` run shares; `done` and `firstGrid` advance as passes run. */
interface CamRun {
  net: PlainNet;
  photo: RgbaImage;
  o: ExplainOptions;
  layer: string;
  classIndex: number;
  shared: tf.Tensor4D | null;
  firstRect: Rect;
  scales: number[];
  flips: boolean[];
  steps: number;
  done: number;
  guidedSum: Float32Array | null;
  firstGrid: CamGrid | null;
  ctx?: JobContext;
}

/** One view's CAM grid averaged over scales and flips; adds its guided backprop (scale 1, unflipped) to `run.guidedSum`. */
async function viewCam(run: CamRun, rect: Rect): Promise<{ avg: Float32Array; gw: number; gh: number }> {
  const { net, photo, o, layer, classIndex, scales, flips, guidedSum, ctx } = run;
  const { width: W, height: H } = photo;
  let avg: Float32Array | null = null;
  let gw = 0;
  let gh = 0;
  for (const s of scales) {
    for (const flip of flips) {
      throwIfAborted(ctx?.signal);
      const size = Math.round(net.inputSize * s);
      const act = run.shared && rect === run.firstRect && s === 1 && !flip ? run.shared : undefined;
      // With the shared activation, only guided backprop still needs the input pixels.
      const x = act && !guidedSum ? null : viewInput(net, photo, rect, size, flip);
      try {
        const grid = await camGrid(net, x, { ...o, method: o.method === 'guided' ? 'gradcam' : o.method, layer, classIndex, act }, perChannelMethods.includes(o.method) ? ctx : undefined);
        let g = flip ? flipMapX(grid.data, grid.width, grid.height) : grid.data;
        if (!avg) {
          [gw, gh] = [grid.width, grid.height];
          avg = new Float32Array(gw * gh);
          run.firstGrid ??= { ...grid, data: g };
        }
        if (grid.width !== gw || grid.height !== gh) g = resampleMapCv2(g, grid.width, grid.height, gw, gh);
        for (let i = 0; i < avg.length; i++) avg[i]! += g[i]! / (scales.length * flips.length);
        if (guidedSum && x && s === 1 && !flip) {
          const gb = await guidedBackprop(net, x, classIndex);
          // pytorch-grad-cam multiplies by the min-max normalised CAM (scale_cam_image), not the raw one.
          const camUp = resampleMapCv2(camScaled(grid.data), grid.width, grid.height, size, size);
          for (let i = 0; i < camUp.length; i++) for (let c = 0; c < 3; c++) gb[i * 3 + c]! *= camUp[i]!;
          accumulate(guidedSum, new Float32Array(0), W, H, deprocess(gb), size, size, rect, 3);
        }
      } finally {
        x?.dispose();
      }
      run.done++;
      ctx?.onProgress?.({ fraction: run.done / run.steps, label: `CAM ${run.done}/${run.steps}` });
    }
  }
  return { avg: avg!, gw, gh };
}

/** Divides overlapping views' sums by how many views covered each pixel (no-op for one view). */
function averageOverlaps(sum: Float32Array, guidedSum: Float32Array | null, count: Float32Array): void {
  if (!count.length) return;
  for (let i = 0; i < sum.length; i++) if (count[i]! > 0) sum[i]! /= count[i]!;
  if (guidedSum) for (let i = 0; i < sum.length; i++) if (count[i]! > 0) for (let c = 0; c < 3; c++) guidedSum[i * 3 + c]! /= count[i]!;
}

/** The guided RGB sums as an opaque RGBA image of W×H. */
function guidedImage(guidedSum: Float32Array, W: number, H: number): NonNullable<CamResult['guided']> {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    data[i * 4] = guidedSum[i * 3]!;
    data[i * 4 + 1] = guidedSum[i * 3 + 1]!;
    data[i * 4 + 2] = guidedSum[i * 3 + 2]!;
    data[i * 4 + 3] = 255;
  }
  return { width: W, height: H, data };
}

/** Grad-CAM family on a photo; the map lands on the photo's geometry at full resolution. */
export async function explainCam(net: PlainNet, photo: RgbaImage, opts: Partial<ExplainOptions> = {}, ctx?: JobContext): Promise<CamResult> {
  const o = { ...defaultExplainOptions, ...opts };
  const layer = o.layer === 'auto' || !o.layer ? net.lastConvLayer : o.layer;
  if (!net.layers.some((l) => l.name === layer && l.shape.length === 3)) throw new Error(`layer “${layer}” is not a spatial layer of this model`);
  const W = photo.width;
  const H = photo.height;
  const views = planViews(W, H, o.fit, o.tilesAcross);
  const { shared, classIndex, prob } = await firstViewClass(net, photo, o, views[0]!, layer);
  const scales = o.smooth && net.anySize ? o.smoothScales : [1];
  const flips = o.smooth ? [false, true] : [false];
  const sum = new Float32Array(W * H);
  const count = views.length > 1 ? new Float32Array(W * H) : new Float32Array(0);
  const guidedSum = o.method === 'guided' ? new Float32Array(W * H * 3) : null;
  const run: CamRun = { net, photo, o, layer, classIndex, shared, firstRect: views[0]!, scales, flips, steps: views.length * scales.length * flips.length, done: 0, guidedSum, firstGrid: null, ctx };
  try {
    for (const rect of views) {
      const { avg, gw, gh } = await viewCam(run, rect);
      accumulate(sum, count, W, H, avg, gw, gh, rect, 1, rect === views[0]);
    }
  } finally {
    shared?.dispose();
  }
  averageOverlaps(sum, guidedSum, count);
  const heat = normalized01(sum);
  const guided = guidedSum ? guidedImage(guidedSum, W, H) : undefined;
  const label = net.labels[classIndex] ?? `class ${classIndex}`;
  return { classIndex, label, prob, layer, method: o.method, width: W, height: H, raw: sum, heat, grid: run.firstGrid!, guided, views };
}

/** Options of `featureMapGrid`. */
export interface FeatureMapOptions {
  layer: string;
  /** At most this many channels, the most active first; 0 = all. */
  maxChannels: number;
  /** Gap between tiles, pixels. */
  gap: number;
  fit: ExplainOptions['fit'];
}

/** Defaults: 64 channels of the last conv layer. */
export const defaultFeatureMapOptions: FeatureMapOptions = { layer: 'auto', maxChannels: 64, gap: 1, fit: 'resize' };

/** A layer's channel activations tiled into one grayscale RGBA image (each tile normalised 0..max). */
export async function featureMapGrid(
  net: PlainNet,
  photo: RgbaImage,
  opts: Partial<FeatureMapOptions> = {},
): Promise<{ width: number; height: number; data: Uint8ClampedArray; channels: number[]; columns: number; tile: [number, number] }> {
  const o = { ...defaultFeatureMapOptions, ...opts };
  const layer = o.layer === 'auto' || !o.layer ? net.lastConvLayer : o.layer;
  const [view] = planViews(photo.width, photo.height, o.fit === 'tiles' ? 'resize' : o.fit);
  const x = viewInput(net, photo, view!);
  const [act] = net.forward(x, [layer]);
  x.dispose();
  if (act!.shape.length !== 4) {
    act!.dispose();
    throw new Error(`layer “${layer}” has no spatial channels`);
  }
  const [, h, w, k] = act!.shape as number[];
  const v = await act!.data();
  act!.dispose();
  const mean = new Float32Array(k!);
  for (let i = 0; i < v.length; i++) mean[i % k!]! += v[i]!;
  let channels = Array.from({ length: k! }, (_, i) => i);
  if (o.maxChannels > 0 && o.maxChannels < k!) channels = channels.sort((a, b) => mean[b]! - mean[a]!).slice(0, o.maxChannels).sort((a, b) => a - b);
  const cols = Math.ceil(Math.sqrt(channels.length));
  const rows = Math.ceil(channels.length / cols);
  const W = cols * w! + (cols - 1) * o.gap;
  const H = rows * h! + (rows - 1) * o.gap;
  const data = new Uint8ClampedArray(W * H * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  channels.forEach((c, t) => {
    let max = 0;
    for (let p = 0; p < h! * w!; p++) max = Math.max(max, v[p * k! + c]!);
    const ox = (t % cols) * (w! + o.gap);
    const oy = Math.floor(t / cols) * (h! + o.gap);
    for (let y = 0; y < h!; y++)
      for (let xx = 0; xx < w!; xx++) {
        const g = max > 0 ? (Math.max(0, v[(y * w! + xx) * k! + c]!) / max) * 255 : 0;
        const q = ((oy + y) * W + ox + xx) * 4;
        data[q] = data[q + 1] = data[q + 2] = g;
      }
  });
  return { width: W, height: H, data, channels, columns: cols, tile: [w!, h!] };
}
