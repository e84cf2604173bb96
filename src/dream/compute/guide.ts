/**
 * Guided dream (google/deepdream's "Controlling dreams"): the guide image's feature vectors at a
 * layer, and the objective that, at each position of the photo's feature map, climbs the dot
 * product with the guide vector that matches it best. Its gradient there is that best guide
 * vector, which is what the original notebook writes into the layer's diff.
 */
import * as tf from '@tensorflow/tfjs';
import type { RgbaImage } from '../../core/image';
import { resamplePilBilinear } from '../../core/resample';
import type { DreamLayer } from './dream-options';
import type { DreamNet } from './dream-net';

/** Longest side the guide is seen at: about the network's own input size, so its features are whole objects and textures, not pixels. */
export const GUIDE_SIDE = 320;

/** The guide's feature vectors per layer name: [positions, channels], kept until dispose(). */
export interface GuideFeatures {
  byLayer: Map<string, tf.Tensor2D>;
  dispose(): void;
}

/** An 8-bit RGBA image as a network input tensor at w×h (PIL bilinear, in the net's input range). */
export function toInput(image: RgbaImage, net: DreamNet, w = image.width, h = image.height): tf.Tensor4D {
  const [lo, hi] = net.inputRange ?? [-1, 1];
  const x = resamplePilBilinear({ data: image.data, width: image.width, height: image.height, stride: 4 }, 3, w, h, (hi - lo) / 255, lo);
  return tf.tensor4d(x, [1, h, w, 3]);
}

/** One-hot channel selector of a layer (null: all channels). */
function channelSelector(layer: DreamLayer, c: number): Float32Array | null {
  if (!layer.channels || layer.channels.length === 0) return null;
  const sel = new Float32Array(c);
  for (const ch of layer.channels) {
    if (ch >= c) throw new Error(`Layer ${layer.name} has ${c} channels; channel ${ch} does not exist.`);
    sel[ch] = 1;
  }
  return sel;
}

/** A layer's activations as [positions, channels], restricted to its channels (others zeroed). */
export function featureRows(a: tf.Tensor, layer: DreamLayer): tf.Tensor2D {
  const c = a.shape[a.shape.length - 1]!;
  const rows = tf.reshape(a, [-1, c]) as tf.Tensor2D;
  // A one-hot multiply, not gather: gather's gradient needs UnsortedSegmentSum, absent on wasm.
  const sel = channelSelector(layer, c);
  return sel ? tf.mul(rows, tf.tensor1d(sel)) : rows;
}

/** Runs the guide (fitted inside GUIDE_SIDE) through `net` once and keeps its features at every layer. */
export function guideFeatures(net: DreamNet, guide: RgbaImage, layers: readonly DreamLayer[]): GuideFeatures {
  const f = Math.min(1, GUIDE_SIDE / Math.max(guide.width, guide.height));
  const w = Math.max(1, Math.round(guide.width * f));
  const h = Math.max(1, Math.round(guide.height * f));
  const byLayer = new Map<string, tf.Tensor2D>();
  tf.tidy(() => {
    const outs = net.outputs(toInput(guide, net, w, h), layers.map((l) => l.name));
    layers.forEach((l, i) => byLayer.set(l.name, tf.keep(featureRows(outs[i]!, l))));
  });
  return { byLayer, dispose: () => byLayer.forEach((t) => t.dispose()) };
}

/** Sum over positions of the best dot product with a guide vector: the guided objective of one layer (before scaling). */
export function bestDotSum(rows: tf.Tensor2D, guide: tf.Tensor2D): tf.Scalar {
  // max's gradient goes to the argmax only: d/dx_p = the best-matching guide vector, as in the notebook.
  return tf.sum(tf.max(tf.matMul(rows, guide, false, true), 1));
}

/** Mean over the photo's positions of the best dot product with the guide's vectors at `layer` (whole image, one pass): how well it matches the guide. */
export function meanBestDot(net: DreamNet, image: RgbaImage, guide: GuideFeatures, layer: DreamLayer): number {
  const g = guide.byLayer.get(layer.name);
  if (!g) throw new Error(`No guide features for layer ${layer.name}.`);
  return tf.tidy(() => {
    const [a] = net.outputs(toInput(image, net), [layer.name]);
    const rows = featureRows(a!, layer);
    return bestDotSum(rows, g).dataSync()[0]! / rows.shape[0];
  });
}
