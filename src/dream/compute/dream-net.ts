/** The network the dream engine climbs (a leaf: the objective and the guide both need it). */
import type * as tf from '@tensorflow/tfjs';

/**
 * What the engine needs from a network: named outputs of a differentiable forward pass.
 * Any implementation works (the plain-op MobileNet rebuild, a small test net); gradients must
 * exist on the live backend.
 */
export interface DreamNet {
  /** Runs x (NHWC, values in `inputRange`) and returns the named outputs in the same order. */
  outputs(x: tf.Tensor4D, names: readonly string[]): tf.Tensor[];
  /** Name of the pre-softmax class scores, for the class objective; absent if none. */
  logitsName?: string;
  /** Values the network expects for pixel 0 and pixel 255; default [-1, 1] (MobileNet). */
  inputRange?: [number, number];
  /** Total stride of the network (a power of two; MobileNet: 32); tiles align to it. Default 32. */
  alignment?: number;
}
