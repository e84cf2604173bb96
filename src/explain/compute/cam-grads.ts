/** The tensors every gradient CAM starts from: the class mask, and the target layer's activation with its gradient. */
import * as tf from '@tensorflow/tfjs';
import type { PlainNet } from '../../core/net/plain-net';

/** One-hot [1,classes] mask of class c (instead of gather: gather's gradient needs UnsortedSegmentSum, missing on wasm). */
export function classMask(net: PlainNet, c: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot([c], net.numClasses), 'float32')) as tf.Tensor2D;
}

/** The target layer's activation of `x` (a clone of `given` when passed); the caller disposes it. */
export function layerActivation(net: PlainNet, x: tf.Tensor4D | null, layer: string, given?: tf.Tensor4D): tf.Tensor4D {
  if (given) return tf.clone(given);
  if (!x) throw new Error('camGrid needs the model input or the target layer activation');
  return net.forward(x, [layer])[0] as tf.Tensor4D;
}

/** d(logit_c)/d(activation of `layer`) and the activation itself (a clone of `given` when passed). */
export function layerGrad(net: PlainNet, x: tf.Tensor4D | null, layer: string, c: number, given?: tf.Tensor4D): { act: tf.Tensor4D; grad: tf.Tensor4D } {
  return tf.tidy(() => {
    const act = layerActivation(net, x, layer, given);
    const mask = classMask(net, c);
    const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(net.forward(a as tf.Tensor4D, ['logits'], { from: layer })[0]!, mask)))(act) as tf.Tensor4D;
    return { act, grad };
  });
}
