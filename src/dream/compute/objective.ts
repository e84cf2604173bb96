/** The objective the engine climbs, built from the network's outputs. */
import * as tf from '@tensorflow/tfjs';
import type { DreamOptions } from './dream-options';
import type { DreamNet } from './dream-net';
import { bestDotSum, featureRows, type GuideFeatures } from './guide';

export type { DreamNet } from './dream-net';

/** Scale of an objective term independent of tile size, so tiles sum to the whole-image objective. */
export interface ObjectiveScale {
  /** Pixels of the whole octave image: layer sums are divided by their whole-image cell count. */
  octavePixels: number;
}

/**
 * Builds f(x) → scalar: weighted layer means (or mean squares) plus an optional class logit. With
 * `guide`, each layer's term is instead its best dot products with the guide's features.
 */
export function buildObjective(net: DreamNet, o: DreamOptions, scale: ObjectiveScale, guide: GuideFeatures | null = null): (x: tf.Tensor4D) => tf.Scalar {
  const names = o.layers.map((l) => l.name);
  const useClass = o.classIndex !== null && o.classWeight !== 0;
  if (useClass && !net.logitsName) throw new Error('This model has no class scores; the class objective is unavailable.');
  if (useClass) names.push(net.logitsName!);
  return (x) => {
    const outs = net.outputs(x, names);
    const inH = x.shape[1];
    const inW = x.shape[2];
    let total: tf.Scalar = tf.scalar(0);
    o.layers.forEach((layer, i) => {
      const a = outs[i]!;
      const c = a.shape[a.shape.length - 1]!;
      const g = guide?.byLayer.get(layer.name);
      if (g) {
        // Per position, as the layer means are per cell: divide by the whole image's positions.
        const positions = Math.max(1, (scale.octavePixels * a.size) / (inH * inW * c));
        total = tf.add(total, tf.mul(bestDotSum(featureRows(a, layer), g), layer.weight / positions));
        return;
      }
      let v = o.reduce === 'l2' ? tf.square(a) : a;
      let nch = c;
      if (layer.channels && layer.channels.length) {
        // A one-hot multiply, not gather: gather's gradient needs UnsortedSegmentSum, absent on wasm.
        const sel = new Float32Array(c);
        for (const ch of layer.channels) {
          if (ch >= c) throw new Error(`Layer ${layer.name} has ${c} channels; channel ${ch} does not exist.`);
          sel[ch] = 1;
        }
        nch = layer.channels.length;
        v = tf.mul(v, tf.tensor1d(sel));
      }
      // Cells of this layer per input pixel, from its stride; the sum over a tile divided by the
      // whole image's cell count makes tile objectives add up to the whole-image mean.
      const ah = a.shape.length === 4 ? a.shape[1]! : 1;
      const aw = a.shape.length === 4 ? a.shape[2]! : 1;
      const sy = Math.max(1, Math.round(inH / ah));
      const sx = Math.max(1, Math.round(inW / aw));
      const cells = Math.max(1, (scale.octavePixels / (sy * sx)) * nch);
      total = tf.add(total, tf.mul(tf.sum(v), layer.weight / cells));
    });
    if (useClass) {
      const logits = tf.reshape(outs[outs.length - 1]!, [-1]);
      const k = logits.shape[0]!;
      if (o.classIndex! >= k) throw new Error(`The model has ${k} classes; class ${o.classIndex} does not exist.`);
      const onehot = new Float32Array(k);
      onehot[o.classIndex!] = 1;
      // Each tile sees part of the image: weight its logit by the share of the image it covers.
      const share = (inH * inW) / scale.octavePixels;
      total = tf.add(total, tf.mul(tf.sum(tf.mul(logits, tf.tensor1d(onehot))), o.classWeight * share));
    }
    return total;
  };
}
