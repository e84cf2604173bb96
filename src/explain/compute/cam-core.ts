/**
 * One CAM on one model input, following jacobgil/pytorch-grad-cam's definitions: the gradient CAMs
 * (cam-gradient.ts), the per-channel ones (cam-perchannel.ts), and guided backprop. Target score =
 * the class logit (pre-softmax).
 */
import * as tf from '@tensorflow/tfjs';
import type { JobContext } from '../../core/job';
import type { PlainNet } from '../../core/net/plain-net';
import { classMask } from './cam-grads';
import { gradientCam } from './cam-gradient';
import { ablationCam, scoreCam } from './cam-perchannel';
import { defaultExplainOptions, type CamMethod, type UpsampleMode } from './explain-options';

/** A CAM on the target layer's grid (before upsampling), row-major, ReLU applied. */
export interface CamGrid {
  width: number;
  height: number;
  data: Float32Array;
}

/** Options of `camGrid` (the optional ones default to `defaultExplainOptions`). */
export interface CamGridOptions {
  method: Exclude<CamMethod, 'guided'>;
  layer: string;
  classIndex: number;
  scoreCamChannels: number;
  scoreCamBatch: number;
  scoreCamUpsample?: UpsampleMode;
  gradCamPlusPlusEps?: number;
  eigenSmooth?: boolean;
  /** The target layer's activation of this same input when the caller already has it (saves a forward pass). */
  act?: tf.Tensor4D;
}

/**
 * Computes one CAM grid for a model input [1,H,W,3]; the input may be null for every method but
 * Score-CAM when `o.act` holds its target-layer activation. `ctx` reports progress and stops the
 * per-channel methods (Score-CAM, Ablation-CAM) between batches.
 */
export async function camGrid(net: PlainNet, x: tf.Tensor4D | null, o: CamGridOptions, ctx?: JobContext): Promise<CamGrid> {
  const d = defaultExplainOptions;
  const eigenSmooth = o.eigenSmooth ?? d.eigenSmooth;
  const per = { layer: o.layer, classIndex: o.classIndex, channels: o.scoreCamChannels, batch: o.scoreCamBatch, upsample: o.scoreCamUpsample ?? d.scoreCamUpsample, eigenSmooth };
  let cam: tf.Tensor2D;
  if (o.method === 'scorecam') {
    if (!x) throw new Error('Score-CAM needs the model input');
    cam = await scoreCam(net, x, per, ctx);
  } else if (o.method === 'ablationcam') {
    // Ablation forwards only the layers after the target: 4× Score-CAM's batch costs about the same.
    cam = await ablationCam(net, x, { ...per, batch: o.scoreCamBatch * 4, act: o.act }, ctx);
  } else {
    cam = await gradientCam(net, x, { method: o.method, layer: o.layer, classIndex: o.classIndex, eps: o.gradCamPlusPlusEps ?? d.gradCamPlusPlusEps, eigenSmooth, act: o.act });
  }
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
