/** Adapts the plain-op network rebuild (net/plain-net.ts) to the dream engine's DreamNet. */
import * as tf from '@tensorflow/tfjs';
import type { PlainNet } from '../../core/net/plain-net';
import type { DreamNet } from './objective';

/** Largest input/activation size ratio over the spatial layers, rounded up to a power of two. */
export function totalStride(net: PlainNet): number {
  let r = 1;
  // Pooled maps (1x1) say nothing about striding: skip them.
  for (const l of net.layers) if (l.shape.length === 3 && l.shape[0]! > 1) r = Math.max(r, net.inputSize / l.shape[0]!);
  return Math.pow(2, Math.ceil(Math.log2(r) - 1e-9));
}

/** DreamNet view of a PlainNet: its named activations, its 'logits' and its input range. */
export function dreamNetFromPlain(net: PlainNet): DreamNet {
  return {
    // wasm has Conv2DBackpropInput, but it is a plain loop: the forward-op gradient (XNNPACK conv2d)
    // made a 224 px dream step ~1.5x faster here, so wasm always takes it.
    outputs: (x: tf.Tensor4D, names: readonly string[]) => net.forward(x, [...names], { grads: tf.getBackend() === 'wasm' ? 'forward-ops' : 'auto' }),
    logitsName: net.numClasses > 0 ? 'logits' : undefined,
    inputRange: net.range === '-1..1' ? [-1, 1] : [0, 1],
    alignment: totalStride(net),
  };
}
