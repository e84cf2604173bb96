/**
 * One CAM on one model input: Grad-CAM, Grad-CAM++, Score-CAM, and guided backprop, following
 * jacobgil/pytorch-grad-cam's definitions. Target score = the class logit (pre-softmax).
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted, type JobContext } from '../job';
import type { PlainNet } from '../net/plain-net';
import type { CamMethod } from './explain-options';

/** A CAM on the target layer's grid (before upsampling), row-major, ReLU applied. */
export interface CamGrid {
  width: number;
  height: number;
  data: Float32Array;
}

/** Options of `camGrid`. */
export interface CamGridOptions {
  method: Exclude<CamMethod, 'guided'>;
  layer: string;
  classIndex: number;
  scoreCamChannels: number;
  scoreCamBatch: number;
  /** The target layer's activation of this same input when the caller already has it (saves a forward pass). */
  act?: tf.Tensor4D;
}

function classMask(net: PlainNet, c: number): tf.Tensor2D {
  // One-hot mask instead of gather: gather's gradient needs UnsortedSegmentSum, missing on wasm.
  return tf.tidy(() => tf.cast(tf.oneHot([c], net.numClasses), 'float32')) as tf.Tensor2D;
}

/** d(logit_c)/d(activation of `layer`) and the activation itself (a clone of `given` when passed). */
function layerGrad(net: PlainNet, x: tf.Tensor4D | null, layer: string, c: number, given?: tf.Tensor4D): { act: tf.Tensor4D; grad: tf.Tensor4D } {
  if (!x && !given) throw new Error('camGrid needs the model input or the target layer activation');
  return tf.tidy(() => {
    const act = given ? tf.clone(given) : (net.forward(x!, [layer])[0] as tf.Tensor4D);
    const mask = classMask(net, c);
    const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(net.forward(a as tf.Tensor4D, ['logits'], { from: layer })[0]!, mask)))(act) as tf.Tensor4D;
    return { act, grad };
  });
}

/** Grad-CAM and Grad-CAM++ weights → ReLU(Σ_k w_k A_k) on the layer grid. */
function gradientCam(net: PlainNet, x: tf.Tensor4D | null, o: CamGridOptions): tf.Tensor2D {
  const { act, grad } = layerGrad(net, x, o.layer, o.classIndex, o.act);
  const cam = tf.tidy(() => {
    let weights: tf.Tensor;
    if (o.method === 'gradcam') {
      weights = tf.mean(grad, [1, 2]);
    } else {
      // Grad-CAM++ (Chattopadhay et al.), with the exp-score closed form pytorch-grad-cam uses.
      const g2 = tf.square(grad);
      const g3 = tf.mul(g2, grad);
      const sumA = tf.sum(act, [1, 2], true);
      const denom = tf.add(tf.mul(g2, 2), tf.mul(sumA, g3));
      const safe = tf.where(tf.notEqual(denom, 0), denom, tf.onesLike(denom));
      const alpha = tf.mul(tf.div(g2, safe), tf.cast(tf.notEqual(grad, 0), 'float32'));
      weights = tf.sum(tf.mul(tf.relu(grad), alpha), [1, 2]);
    }
    const [, h, w, k] = act.shape;
    const weighted = tf.matMul(tf.reshape(act, [h * w, k]), tf.reshape(weights, [k, 1]));
    return tf.relu(tf.reshape(weighted, [h, w])) as tf.Tensor2D;
  });
  tf.dispose([act, grad]);
  return cam;
}

/** Score-CAM: each channel, upsampled and normalised, masks the input; softmax of the masked scores weighs it. */
async function scoreCam(net: PlainNet, x: tf.Tensor4D, o: CamGridOptions, ctx?: JobContext): Promise<tf.Tensor2D> {
  const [act] = net.forward(x, [o.layer]) as [tf.Tensor4D];
  const [, h, w, k] = act.shape;
  const [, H, W] = x.shape;
  let channels = Array.from({ length: k }, (_, i) => i);
  if (o.scoreCamChannels > 0 && o.scoreCamChannels < k) {
    const meanT = tf.mean(act, [0, 1, 2]);
    const means = await meanT.data();
    meanT.dispose();
    channels = channels.sort((a, b) => means[b]! - means[a]!).slice(0, o.scoreCamChannels).sort((a, b) => a - b);
  }
  const scores: number[] = [];
  const batch = Math.max(1, o.scoreCamBatch);
  const mask = classMask(net, o.classIndex);
  try {
    for (let s = 0; s < channels.length; s += batch) {
      throwIfAborted(ctx?.signal);
      const idx = channels.slice(s, s + batch);
      const batchScores = tf.tidy(() => {
        const sel = tf.gather(act, tf.tensor1d(idx, 'int32'), 3); // [1,h,w,b]
        const up = tf.image.resizeBilinear(sel as tf.Tensor4D, [H!, W!]); // [1,H,W,b]
        const lo = tf.min(up, [0, 1, 2], true);
        const hi = tf.max(up, [0, 1, 2], true);
        const norm = tf.div(tf.sub(up, lo), tf.add(tf.sub(hi, lo), 1e-8));
        const masks = tf.transpose(norm, [3, 1, 2, 0]) as tf.Tensor4D; // [b,H,W,1]
        const inputs = tf.mul(x, masks) as tf.Tensor4D;
        const [logits] = net.forward(inputs, ['logits']);
        return tf.sum(tf.mul(logits!, mask), 1);
      });
      scores.push(...(await batchScores.data()));
      batchScores.dispose();
      ctx?.onProgress?.({ fraction: Math.min(1, (s + idx.length) / channels.length), label: `Score-CAM ${s + idx.length}/${channels.length}` });
      await new Promise((r) => setTimeout(r, 0)); // lets a cancel message arrive
    }
    return tf.tidy(() => {
      const wts = tf.softmax(tf.tensor1d(scores));
      const sel = tf.reshape(tf.gather(act, tf.tensor1d(channels, 'int32'), 3), [h! * w!, channels.length]);
      return tf.relu(tf.reshape(tf.matMul(sel, tf.reshape(wts, [channels.length, 1])), [h!, w!])) as tf.Tensor2D;
    });
  } finally {
    tf.dispose([act, mask]);
  }
}

/**
 * Computes one CAM grid for a model input [1,H,W,3]; the input may be null for Grad-CAM and
 * Grad-CAM++ when `o.act` holds its target-layer activation (Score-CAM always needs it).
 */
export async function camGrid(net: PlainNet, x: tf.Tensor4D | null, o: CamGridOptions, ctx?: JobContext): Promise<CamGrid> {
  if (o.method === 'scorecam' && !x) throw new Error('Score-CAM needs the model input');
  const cam = o.method === 'scorecam' ? await scoreCam(net, x!, o, ctx) : gradientCam(net, x, o);
  const [height, width] = cam.shape;
  const data = (await cam.data()) as Float32Array;
  cam.dispose();
  return { width: width!, height: height!, data: Float32Array.from(data) };
}

/** Guided backprop: d(logit_c)/d(input) through guided ReLUs, [H,W,3] interleaved. */
export async function guidedBackprop(net: PlainNet, x: tf.Tensor4D, classIndex: number): Promise<Float32Array> {
  const g = tf.tidy(() => {
    const mask = classMask(net, classIndex);
    return tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(net.forward(xi as tf.Tensor4D, ['logits'], { guided: true })[0]!, mask)))(x);
  });
  const data = Float32Array.from(await g.data());
  g.dispose();
  return data;
}

/** Top-k of the class probabilities of a model input, or of an activation of layer `from` of it. */
export async function topClasses(net: PlainNet, x: tf.Tensor4D, k: number, from?: string): Promise<{ index: number; label: string; prob: number }[]> {
  const [probs] = net.forward(x, ['probs'], from ? { from } : {});
  const p = await probs!.data();
  probs!.dispose();
  return Array.from(p, (prob, index) => ({ index, prob }))
    .sort((a, b) => b.prob - a.prob)
    .slice(0, k)
    .map((c) => ({ ...c, label: net.labels[c.index] ?? `class ${c.index}` }));
}
