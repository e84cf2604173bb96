/** Pooled features of a chosen layer for many views, computed once, in batches, with progress and Cancel. */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted, type JobContext } from '../../core/job';
import type { PlainNet } from '../../core/net/plain-net';

/** Feature rows, one per view: row i is `data.subarray(i * dim, (i + 1) * dim)`. */
export interface FeatureTable {
  data: Float32Array;
  dim: number;
  rows: number;
  /** Rows whose view could not be made (their photo did not decode): zeros, not to be used. */
  missing: number[];
}

/** What `extractFeatures` reads: `count` views, each `size` x `size` RGB floats 0..255 from `view(i)` (null: unusable). */
export interface FeatureSource {
  count: number;
  size: number;
  view(i: number): Promise<Float32Array | null>;
}

/** The layers a head can sit on: spatial activations (global-average pooled) and flat ones before the classifier. */
export function featureLayers(net: PlainNet): string[] {
  return net.layers.filter((l) => l.name !== net.inputName && l.shape.length === 3 && l.kind !== 'InputLayer').map((l) => l.name);
}

/** Global-average-pools one batch's activation of `layer`: [b, dim] values. */
function pooledBatch(net: PlainNet, layer: string, pixels: Float32Array, b: number, size: number): tf.Tensor2D {
  return tf.tidy(() => {
    const x = net.fromPixels(tf.tensor4d(pixels, [b, size, size, 3])) as tf.Tensor4D;
    const act = net.forward(x, [layer])[0]!;
    return (act.rank === 4 ? tf.mean(act, [1, 2]) : tf.reshape(act, [b, -1])) as tf.Tensor2D;
  });
}

/**
 * Runs the network up to `layer` on every view and keeps its pooled activation. Progress reports
 * views done; the signal is checked between batches (one batch is the longest wait for Cancel).
 */
export async function extractFeatures(net: PlainNet, layer: string, src: FeatureSource, batchSize = 8, ctx: JobContext = {}): Promise<FeatureTable> {
  if (!featureLayers(net).includes(layer)) throw new Error(`layer “${layer}” is not a spatial layer of this model (see “onirique network”)`);
  let data = new Float32Array(0);
  let dim = 0;
  const missing: number[] = [];
  const px = src.size * src.size * 3;
  const started = Date.now();
  for (let start = 0; start < src.count; start += batchSize) {
    throwIfAborted(ctx.signal);
    const b = Math.min(batchSize, src.count - start);
    const pixels = new Float32Array(b * px);
    for (let i = 0; i < b; i++) {
      const v = await src.view(start + i);
      if (v) pixels.set(v, i * px);
      else missing.push(start + i);
    }
    const pooled = pooledBatch(net, layer, pixels, b, src.size);
    const values = await pooled.data();
    pooled.dispose();
    if (!dim) {
      dim = pooled.shape[1];
      data = new Float32Array(src.count * dim);
    }
    data.set(values, start * dim);
    const done = start + b;
    const perView = (Date.now() - started) / done;
    ctx.onProgress?.({ fraction: done / src.count, label: `features ${done}/${src.count}, ${((1000 * done) / Math.max(1, Date.now() - started)).toFixed(1)} views/s, ETA ${Math.round((perView * (src.count - done)) / 1000)} s` });
  }
  // Missing views ran as black frames: zero their rows so nothing depends on them.
  for (const r of missing) data.fill(0, r * dim, (r + 1) * dim);
  return { data, dim, rows: src.count, missing };
}
