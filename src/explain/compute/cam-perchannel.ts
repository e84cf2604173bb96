/**
 * The CAMs that score one forward pass per channel, in batches with progress and Cancel between
 * them: Score-CAM (Wang et al.: the upsampled, min-max normalised channel masks the input; the
 * softmax of the masked class logits weighs it) and Ablation-CAM (Desai & Ramaswamy: the channel
 * is zeroed at the layer; weight = relative drop of the class logit).
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted, type JobContext } from '../../core/job';
import type { PlainNet } from '../../core/net/plain-net';
import { resampleMatrix } from '../../core/resample';
import { classMask } from './cam-grads';
import { firstPrincipalProjection } from './eigen';
import type { UpsampleMode } from './explain-options';

/** What the per-channel CAMs need. */
export interface PerChannelOptions {
  layer: string;
  classIndex: number;
  /** Score-CAM: the most active channels scored; 0 = all. */
  channels: number;
  batch: number;
  upsample: UpsampleMode;
  eigenSmooth: boolean;
}

/**
 * Channels `idx` of a layer activation [1,h,w,k] upsampled to H×W with the CAM's own resampler
 * (two matMuls with `resampleMatrix`), each min-max normalised to 0..1: [b,H,W,1].
 */
export function scoreCamMasks(act: tf.Tensor4D, idx: number[], H: number, W: number, mode: UpsampleMode = 'half-pixel'): tf.Tensor4D {
  const [, h, w] = act.shape;
  const b = idx.length;
  return tf.tidy(() => {
    const rx = tf.tensor2d(resampleMatrix(w, W, mode), [W, w]);
    const ry = tf.tensor2d(resampleMatrix(h, H, mode), [H, h]);
    const sel = tf.transpose(tf.reshape(tf.gather(act, tf.tensor1d(idx, 'int32'), 3), [h, w, b]), [2, 0, 1]); // [b,h,w]
    const alongX = tf.reshape(tf.matMul(tf.reshape(sel, [b * h, w]), rx, false, true), [b, h, W]);
    const cols = tf.reshape(tf.transpose(alongX, [0, 2, 1]), [b * W, h]);
    const up = tf.transpose(tf.reshape(tf.matMul(cols, ry, false, true), [b, W, H]), [0, 2, 1]); // [b,H,W]
    const lo = tf.min(up, [1, 2], true);
    const hi = tf.max(up, [1, 2], true);
    return tf.expandDims(tf.div(tf.sub(up, lo), tf.add(tf.sub(hi, lo), 1e-8)), 3) as tf.Tensor4D;
  });
}

/** The channels to score: all, or the `n` with the highest mean activation (in index order). */
async function pickChannels(act: tf.Tensor4D, n: number): Promise<number[]> {
  const k = act.shape[3];
  const all = Array.from({ length: k }, (_, i) => i);
  if (!(n > 0 && n < k)) return all;
  const meanT = tf.mean(act, [0, 1, 2]);
  const means = await meanT.data();
  meanT.dispose();
  return all.sort((a, b) => means[b]! - means[a]!).slice(0, n).sort((a, b) => a - b);
}

/** Runs `score(idx)` over the channels in batches: progress after each, Cancel checked before each. */
async function scoreInBatches(channels: number[], batch: number, label: string, score: (idx: number[]) => tf.Tensor1D, ctx?: JobContext): Promise<number[]> {
  const out: number[] = [];
  const step = Math.max(1, batch);
  for (let s = 0; s < channels.length; s += step) {
    throwIfAborted(ctx?.signal);
    const idx = channels.slice(s, s + step);
    const t = score(idx);
    out.push(...(await t.data()));
    t.dispose();
    ctx?.onProgress?.({ fraction: Math.min(1, (s + idx.length) / channels.length), label: `${label} ${s + idx.length}/${channels.length}` });
    await new Promise((r) => setTimeout(r, 0)); // lets a cancel message arrive
  }
  return out;
}

/** ReLU(Σ_k w_k A_k) over the scored channels, [h,w]; with `eigen`, the first principal component of the w_k A_k instead. */
async function weightedSum(act: tf.Tensor4D, channels: number[], weights: Float32Array, eigen: boolean): Promise<tf.Tensor2D> {
  const [, h, w] = act.shape;
  const b = channels.length;
  if (eigen) {
    const wa = tf.tidy(() => tf.mul(tf.reshape(tf.gather(act, tf.tensor1d(channels, 'int32'), 3), [h * w, b]), tf.tensor2d(weights, [1, b])));
    const data = await wa.data();
    wa.dispose();
    const p = firstPrincipalProjection(data, h * w, b);
    return tf.tidy(() => tf.relu(tf.tensor2d(p, [h, w])) as tf.Tensor2D);
  }
  return tf.tidy(() => {
    const sel = tf.reshape(tf.gather(act, tf.tensor1d(channels, 'int32'), 3), [h * w, b]);
    return tf.relu(tf.reshape(tf.matMul(sel, tf.tensor2d(weights, [b, 1])), [h, w])) as tf.Tensor2D;
  });
}

/** Softmax of the scores, in float64 (the same weights as torch's softmax). */
function softmax(v: number[]): Float32Array {
  const m = Math.max(...v);
  const e = v.map((a) => Math.exp(a - m));
  const s = e.reduce((a, b) => a + b, 0);
  return Float32Array.from(e, (a) => a / s);
}

/** Score-CAM grid [h,w] of a model input [1,H,W,3]. */
export async function scoreCam(net: PlainNet, x: tf.Tensor4D, o: PerChannelOptions, ctx?: JobContext): Promise<tf.Tensor2D> {
  const [act] = net.forward(x, [o.layer]) as [tf.Tensor4D];
  const [, H, W] = x.shape;
  const mask = classMask(net, o.classIndex);
  try {
    const channels = await pickChannels(act, o.channels);
    const scores = await scoreInBatches(channels, o.batch, 'Score-CAM', (idx) =>
      tf.tidy(() => {
        const inputs = tf.mul(x, scoreCamMasks(act, idx, H, W, o.upsample)) as tf.Tensor4D;
        return tf.sum(tf.mul(net.forward(inputs, ['logits'])[0]!, mask), 1) as tf.Tensor1D;
      }),
    ctx);
    return await weightedSum(act, channels, softmax(scores), o.eigenSmooth);
  } finally {
    tf.dispose([act, mask]);
  }
}

/** Ablation-CAM grid [h,w]: every channel of the layer zeroed in turn (pytorch-grad-cam's default, all channels). */
export async function ablationCam(net: PlainNet, x: tf.Tensor4D | null, o: PerChannelOptions & { act?: tf.Tensor4D }, ctx?: JobContext): Promise<tf.Tensor2D> {
  if (!x && !o.act) throw new Error('Ablation-CAM needs the model input or the target layer activation');
  const act = o.act ? tf.clone(o.act) : (net.forward(x!, [o.layer])[0] as tf.Tensor4D);
  const k = act.shape[3];
  const mask = classMask(net, o.classIndex);
  try {
    const baseT = tf.tidy(() => tf.sum(tf.mul(net.forward(act, ['logits'], { from: o.layer })[0]!, mask)));
    const base = (await baseT.data())[0]!;
    baseT.dispose();
    const channels = Array.from({ length: k }, (_, i) => i);
    const scores = await scoreInBatches(channels, o.batch, 'Ablation-CAM', (idx) =>
      tf.tidy(() => {
        const keep = tf.sub(1, tf.reshape(tf.oneHot(tf.tensor1d(idx, 'int32'), k), [idx.length, 1, 1, k]));
        const ablated = tf.mul(act, keep) as tf.Tensor4D;
        return tf.sum(tf.mul(net.forward(ablated, ['logits'], { from: o.layer })[0]!, mask), 1) as tf.Tensor1D;
      }),
    ctx);
    // pytorch-grad-cam: (original - ablated) / original (a negative original logit flips the signs, as there).
    const weights = Float32Array.from(scores, (s) => (base - s) / base);
    return await weightedSum(act, channels, weights, o.eigenSmooth);
  } finally {
    tf.dispose([act, mask]);
  }
}
