/** The direct typed-array path (filter-direct.ts, tfjs-cpu's engine) against the strip path on real photo crops. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFilter, convolveImage, convolveResponse } from '../../src/filter/compute/convolve';
import { planDirect } from '../../src/filter/compute/filter-direct';
import { defaultFilterOptions, type FilterOptions } from '../../src/filter/compute/filter-options';
import { AbortError } from '../../src/core/job';
import { presetOptions } from '../../src/filter/compute/kernels';
import { setSimdDisabled } from '../../src/filter/compute/simd/simd-loader';
import type { RgbaImage } from '../../src/core/image';
import { allBorders, crop, maxByteDiff, maxRelDiff, seededKernel, useWasm } from './filter-fixtures';

const kernels: [string, Partial<FilterOptions>][] = [
  ['3x3 article (rank 1)', presetOptions('edges-horizontal')],
  ['5x3 dense, stride 2', { kernel: { matrix: seededKernel(5, 3, 1) }, stride: 2 }],
  ['4x4 even dense, dilation 3, stride 3', { kernel: { matrix: seededKernel(4, 4, 2) }, dilation: 3, stride: 3 }],
  ['9x9 dense', { kernel: { matrix: seededKernel(9, 9, 3) } }],
  ['7x7 gaussian separable, stride 2', { ...presetOptions('gaussian', { sigma: 1.2, size: 7 }), stride: 2 }],
  ['31x1 column, dilation 2', { kernel: { matrix: seededKernel(31, 1, 4) }, dilation: 2 }],
  ['1x5 row', { kernel: { matrix: [[1, -2, 0, 2, -1]] } }],
  ['Roberts (zero taps skipped)', presetOptions('roberts-x')],
];

let photo: RgbaImage;
let narrow: RgbaImage;
beforeAll(async () => {
  await useWasm();
  photo = await crop('chelsea.png', 30, 20, 203, 117);
  narrow = await crop('dandelions_5312x2988.jpg', 2600, 1400, 13, 11);
});

afterAll(async () => {
  await useWasm();
});

describe('direct path equals strip path', () => {
  it.each(kernels)('%s: every border, same and valid', async (_n, opts) => {
    let worst = 0;
    for (const border of allBorders) {
      for (const mode of ['same', 'valid'] as const) {
        const direct = await convolveResponse(photo, { ...opts, border, mode, layout: 'direct' });
        const strips = await convolveResponse(photo, { ...opts, border, mode, layout: 'strips' });
        expect([direct.width, direct.height]).toEqual([strips.width, strips.height]);
        worst = Math.max(worst, maxRelDiff(direct.values, strips.values));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it.each(allBorders)('13x11 image under a 15x15 kernel, %s border (halo wider than the image)', async (border) => {
    const opts = { kernel: { matrix: seededKernel(15, 15, 9) }, border };
    const direct = await convolveResponse(narrow, { ...opts, layout: 'direct' });
    const strips = await convolveResponse(narrow, { ...opts, layout: 'strips' });
    expect(maxRelDiff(direct.values, strips.values)).toBeLessThanOrEqual(1e-5);
  });

  it('RGB with a channel off, multi-channel sum, compass max: 8-bit output within one grey level', async () => {
    const cases: Partial<FilterOptions>[] = [
      { ...presetOptions('sobel-magnitude'), channels: 'rgb', channelMask: [true, false, true], border: 'reflect' },
      { kernel: { matrix: seededKernel(3, 5, 6) }, channels: 'sum', channelKernels: [seededKernel(3, 5, 6), seededKernel(3, 5, 7), seededKernel(3, 5, 8)], border: 'wrap', output: 'offset' },
      { ...presetOptions('kirsch'), border: 'replicate' },
    ];
    for (const opts of cases) {
      const a = await applyFilter(photo, { ...opts, layout: 'direct' });
      const b = await applyFilter(photo, { ...opts, layout: 'strips' });
      expect(maxByteDiff(a, b)).toBeLessThanOrEqual(1);
    }
  });
});

describe('plan and path choice', () => {
  it('goes separable only when it saves taps, or when asked', () => {
    const article = [{ plane: 0, out: 0, matrix: [[-1, -1, -1], [0, 0, 0], [1, 1, 1]] }];
    const gauss = [{ plane: 0, out: 0, matrix: presetOptions('gaussian', { sigma: 2, size: 9 }).kernel.matrix }];
    expect(planDirect(article, { dilation: 1, separable: 'auto' }).separable).toBe(false);
    expect(planDirect(article, { dilation: 1, separable: 'always' }).separable).toBe(true);
    expect(planDirect(gauss, { dilation: 1, separable: 'auto' }).separable).toBe(true);
    expect(planDirect(gauss, { dilation: 1, separable: 'never' }).separable).toBe(false);
  });

  it('auto takes the direct path on tfjs-cpu, and its result equals the wasm block path; no tensors made', async () => {
    const opts = { ...defaultFilterOptions, ...presetOptions('sobel-magnitude') };
    // The choice among the non-SIMD paths, as where WebAssembly SIMD is missing (filter-simd.test.ts covers SIMD).
    setSimdDisabled(true);
    let onWasm: Awaited<ReturnType<typeof convolveImage>>;
    let onCpu: typeof onWasm;
    try {
      onWasm = await convolveImage(photo, opts);
      await tf.setBackend('cpu');
      const before = tf.memory().numTensors;
      onCpu = await convolveImage(photo, opts);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      setSimdDisabled(false);
      await useWasm();
    }
    expect([onWasm.plan.kind, onCpu.plan.kind]).toEqual(['block', 'direct']);
    onCpu.raw.forEach((plane, i) => expect(maxRelDiff(plane, onWasm.raw[i]!)).toBeLessThanOrEqual(1e-5));
  });

  it('stops between bands when its signal is aborted, and reports progress before', async () => {
    const big = await crop('dandelions_5312x2988.jpg', 0, 0, 2048, 2048);
    const ac = new AbortController();
    const seen: number[] = [];
    const run = convolveResponse(big, { layout: 'direct' }, {
      signal: ac.signal,
      onProgress: (p) => {
        seen.push(p.fraction);
        ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    // 4 MP is two bands: the abort during the first stops the run before the second begins.
    expect(seen).toEqual([0.05]);
  });
});
