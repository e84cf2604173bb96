/** Forward-op gradients (for wasm) equal tfjs's native convolution gradients on cpu. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backwardKernel, conv2dFwdGrad, depthwiseConvFwdGrad, fusedConvBlock, tfPadding } from '../../src/core/net/grad-ops';
import { maxAbs, maxAbsDiff, useBackend } from './net-fixtures';

const cases: { h: number; w: number; k: number; s: number; pad: 'same' | 'valid'; m: number }[] = [
  { h: 9, w: 9, k: 3, s: 1, pad: 'same', m: 1 },
  { h: 8, w: 11, k: 3, s: 2, pad: 'same', m: 1 },
  { h: 9, w: 10, k: 3, s: 2, pad: 'same', m: 2 },
  { h: 10, w: 7, k: 4, s: 2, pad: 'same', m: 1 },
  { h: 12, w: 9, k: 5, s: 3, pad: 'valid', m: 1 },
  { h: 7, w: 8, k: 3, s: 2, pad: 'valid', m: 3 },
];

describe('forward-op convolution gradients', () => {
  it('tfPadding follows TF same semantics (extra pixel at the end)', () => {
    expect(tfPadding(224, 3, 2, 1, 'same')).toEqual({ out: 112, pad: [0, 1] });
    expect(tfPadding(225, 3, 2, 1, 'same')).toEqual({ out: 113, pad: [1, 1] });
    expect(tfPadding(10, 3, 1, 1, 'valid')).toEqual({ out: 8, pad: [0, 0] });
  });

  for (const c of cases) {
    it(`depthwise and conv2d ${c.h}x${c.w} k${c.k} s${c.s} ${c.pad} m${c.m}`, async () => {
      await useBackend('cpu');
      const x = tf.randomNormal([2, c.h, c.w, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const wd = tf.randomNormal([c.k, c.k, 3, c.m], 0, 1, 'float32', 2) as tf.Tensor4D;
      const wc = tf.randomNormal([c.k, c.k, 3, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
      const outD = tf.depthwiseConv2d(x, wd, c.s, c.pad);
      const outC = tf.conv2d(x, wc, c.s, c.pad);
      const gyD = tf.randomNormal(outD.shape, 0, 1, 'float32', 4);
      const gyC = tf.randomNormal(outC.shape, 0, 1, 'float32', 5);
      const loss = (f: (x: tf.Tensor4D) => tf.Tensor, gy: tf.Tensor) => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi as tf.Tensor4D), gy)))(x);
      const refD = await loss((xi) => tf.depthwiseConv2d(xi, wd, c.s, c.pad), gyD).data();
      const refC = await loss((xi) => tf.conv2d(xi, wc, c.s, c.pad), gyC).data();
      const s: [number, number] = [c.s, c.s];
      expect(maxAbsDiff(refD, await loss((xi) => depthwiseConvFwdGrad(xi, wd, s, c.pad), gyD).data())).toBeLessThan(1e-4 * maxAbs(refD));
      expect(maxAbsDiff(refC, await loss((xi) => conv2dFwdGrad(xi, wc, s, c.pad), gyC).data())).toBeLessThan(1e-4 * maxAbs(refC));
      // The same forward-op gradients on wasm, which has no DepthwiseConv2dNativeBackpropInput kernel
      // (strided conv2d: the polyphase path, one conv and a depthToSpace).
      await useBackend('wasm');
      expect(maxAbsDiff(refD, await loss((xi) => depthwiseConvFwdGrad(xi, wd, s, c.pad), gyD).data())).toBeLessThan(1e-4 * maxAbs(refD));
      expect(maxAbsDiff(refC, await loss((xi) => conv2dFwdGrad(xi, wc, s, c.pad), gyC).data())).toBeLessThan(1e-4 * maxAbs(refC));
      tf.dispose([x, wd, wc, outD, outC, gyD, gyC]);
    });
  }

  // conv+bias+relu6 as one fused kernel and one customGrad: equal to separate ops and their native gradients.
  for (const c of cases) {
    it(`fused conv+bias+relu6 block ${c.h}x${c.w} k${c.k} s${c.s} ${c.pad} m${c.m}`, async () => {
      await useBackend('cpu');
      // Scaled so that a good share of the outputs sits at 0 and at 6 (both mask edges matter).
      const x = tf.mul(tf.randomNormal([2, c.h, c.w, 3], 0, 1, 'float32', 6), 3) as tf.Tensor4D;
      const wd = tf.randomNormal([c.k, c.k, 3, c.m], 0, 1, 'float32', 7) as tf.Tensor4D;
      const wc = tf.randomNormal([c.k, c.k, 3, 4], 0, 1, 'float32', 8) as tf.Tensor4D;
      const bd = tf.randomNormal([3 * c.m], 1, 1, 'float32', 9) as tf.Tensor1D;
      const bc = tf.randomNormal([4], 1, 1, 'float32', 10) as tf.Tensor1D;
      const s: [number, number] = [c.s, c.s];
      const plain = (dw: boolean) => (xi: tf.Tensor4D) => tf.relu6(tf.add(dw ? tf.depthwiseConv2d(xi, wd, c.s, c.pad) : tf.conv2d(xi, wc, c.s, c.pad), dw ? bd : bc));
      for (const dw of [true, false]) {
        await useBackend('cpu');
        const wBack = backwardKernel(dw ? wd : wc, dw, s);
        // Strided regular convs get the polyphase kernel [ceil(k/s), ceil(k/s), cout, s²·cin].
        if (!dw && c.s > 1) expect(wBack.shape).toEqual([Math.ceil(c.k / c.s), Math.ceil(c.k / c.s), 4, c.s * c.s * 3]);
        const fused = (xi: tf.Tensor4D) => fusedConvBlock(xi, dw ? wd : wc, dw ? bd : bc, wBack, s, c.pad, dw, 'relu6');
        const y = plain(dw)(x);
        const yv = await y.data();
        expect(yv.some((v) => v === 0) && yv.some((v) => v === 6) && yv.some((v) => v > 0 && v < 6)).toBe(true);
        const gy = tf.randomNormal(y.shape, 0, 1, 'float32', 11);
        const loss = (f: (x: tf.Tensor4D) => tf.Tensor) => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi as tf.Tensor4D), gy)))(x);
        const ref = await loss(plain(dw)).data();
        for (const b of ['cpu', 'wasm'] as const) {
          await useBackend(b);
          expect(maxAbsDiff(yv, await fused(x).data())).toBeLessThan(1e-4 * maxAbs(yv));
          expect(maxAbsDiff(ref, await loss(fused).data())).toBeLessThan(1e-4 * maxAbs(ref));
        }
        tf.dispose([y, gy, wBack]);
      }
      tf.dispose([x, wd, wc, bd, bc]);
    });
  }
});
