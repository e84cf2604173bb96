/** Identity on wasm shares memory (as on cpu and webgl) without changing any value or gradient. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backwardKernel, fusedConvBlock } from '../../src/core/net/grad-ops';
import { shareIdentityOnWasm } from '../../src/core/net/wasm-identity';
import { maxAbsDiff, useBackend } from './net-fixtures';

const heapIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

describe('shared Identity on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    shareIdentityOnWasm(); // a second call must leave the one kernel in place
  });

  it('a clone adds no heap buffer; either tensor outlives the other with its values', () => {
    const base = tf.memory();
    const ids = heapIds();
    const x = tf.tensor1d([1, 2, 3, 4]);
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers - base.numDataBuffers).toBe(1);
    expect(heapIds() - ids).toBe(1);
    y.dispose();
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4]);
    const z = tf.clone(x);
    x.dispose();
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3, 4]);
    z.dispose();
    const s = tf.tensor1d(['a', 'b'], 'string');
    const sc = tf.clone(s);
    s.dispose();
    expect(sc.arraySync()).toEqual(['a', 'b']);
    sc.dispose();
    expect(heapIds()).toBe(ids);
    expect(tf.memory().numTensors).toBe(base.numTensors);
  });

  it('gradients through saved activations are unchanged, and nothing leaks over repeats', async () => {
    const x = tf.randomNormal([1, 9, 11, 5], 0, 1, 'float32', 3) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 5, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    const b = tf.randomNormal([4], 0, 1, 'float32', 5) as tf.Tensor1D;
    const wBack = backwardKernel(w, false);
    // The fused block saves its relu6 output; its gradient reads what the tape kept (a shared clone).
    const f = (xi: tf.Tensor) => tf.sum(tf.mul(fusedConvBlock(xi as tf.Tensor4D, w, b, wBack, [1, 1], 'same', false, 'relu6'), xi.mean()));
    const ours = tf.tidy(() => tf.grad(f)(x));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.grad(f)(x)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    await useBackend('cpu');
    const [xc, wc, bc] = [x, w, b].map((t) => tf.tensor(t.dataSync(), t.shape)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
    const ref = tf.tidy(() => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.relu6(tf.add(tf.conv2d(xi as tf.Tensor4D, wc, 1, 'same'), bc)), xi.mean())))(xc));
    expect(ref.shape).toEqual(ours.shape);
    expect(maxAbsDiff(ref.dataSync(), ours.dataSync())).toBeLessThan(1e-4);
    tf.dispose([xc, wc, bc, ref]);
    await useBackend('wasm');
    tf.dispose([x, w, b, wBack, ours]);
  });
});
