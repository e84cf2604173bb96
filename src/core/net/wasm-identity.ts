/**
 * tfjs-wasm's Identity copies the tensor's bytes; tfjs-cpu and tfjs-webgl share them (refcount).
 * tfjs runs Identity for every tensor a gradient saves (`tf.customGrad`'s save, each recorded op's
 * saved inputs), so a dream step copied each saved activation once: 24 copies, ~14 ms of ~400 ms
 * of kernel time at 512 px, and as many bytes again in the heap. Sharing is as safe as tfjs-wasm's
 * own Reshape, which shares the same way: no wasm kernel writes into its inputs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

interface RefCounted {
  incRef(dataId: object): void;
}

/** Makes Identity on the wasm backend share its input's memory (as cpu and webgl do); idempotent. */
export function shareIdentityOnWasm(): void {
  const current = tf.getKernel('Identity', 'wasm');
  if (current?.kernelFunc === sharedIdentity) return;
  if (current) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity });
}

function sharedIdentity({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs.x!;
  // String tensors are refcounted in the same map (their bytes live outside the heap), so they share too.
  (backend as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
