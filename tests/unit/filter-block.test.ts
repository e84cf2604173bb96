/** The block-reshape path (filter-block.ts) against the strip path on real photo crops: every border, odd widths. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFilter, convolveImage, convolveResponse } from '../../src/filter/compute/convolve';
import { blockKernel, blocksFor } from '../../src/filter/compute/filter-block';
import { defaultFilterOptions, type FilterOptions } from '../../src/filter/compute/filter-options';
import { presetOptions } from '../../src/filter/compute/kernels';
import { setSimdDisabled } from '../../src/filter/compute/simd/simd-loader';
import type { RgbaImage } from '../../src/core/image';
import { allBorders, crop, maxByteDiff, maxRelDiff, seededKernel, useWasm } from './filter-fixtures';

const kernels: [string, Partial<FilterOptions>][] = [
  ['3x3 article (rank 1)', presetOptions('edges-horizontal')],
  ['5x3 dense', { kernel: { matrix: seededKernel(5, 3, 1) } }],
  ['4x4 even dense', { kernel: { matrix: seededKernel(4, 4, 2) } }],
  ['15x15 dense', { kernel: { matrix: seededKernel(15, 15, 3) } }],
  ['7x7 gaussian separable', presetOptions('gaussian', { sigma: 1.2, size: 7 })],
  ['31x1 column, dilation 2', { kernel: { matrix: seededKernel(31, 1, 4) }, dilation: 2 }],
  ['1x5 row', { kernel: { matrix: [[1, -2, 0, 2, -1]] } }],
];

let photo: RgbaImage;
let narrow: RgbaImage;
beforeAll(async () => {
  await useWasm();
  // Odd sizes: neither is a multiple of any lane count, so every padding path runs.
  photo = await crop('coffee.png', 40, 60, 301, 203);
  narrow = await crop('dandelions_5312x2988.jpg', 2600, 1400, 13, 11);
});

async function both(img: RgbaImage, opts: Partial<FilterOptions>) {
  const block = await convolveResponse(img, { ...opts, layout: 'blocks' });
  const strips = await convolveResponse(img, { ...opts, layout: 'strips' });
  return { block, strips };
}

describe('block path equals strip path', () => {
  it.each(kernels)('%s: every border, same and valid, one tile and 64-px tiles', async (_n, opts) => {
    let worst = 0;
    for (const border of allBorders) {
      for (const mode of ['same', 'valid'] as const) {
        for (const tileSize of [0, 64]) {
          const { block, strips } = await both(photo, { ...opts, border, mode, tileSize });
          expect([block.width, block.height]).toEqual([strips.width, strips.height]);
          worst = Math.max(worst, maxRelDiff(block.values, strips.values));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it.each(allBorders)('13x11 image under a 15x15 kernel, %s border (halo wider than the image)', async (border) => {
    const { block, strips } = await both(narrow, { kernel: { matrix: seededKernel(15, 15, 9) }, border });
    expect(maxRelDiff(block.values, strips.values)).toBeLessThanOrEqual(1e-5);
  });

  it('RGB and multi-channel sum, combined kernels, 8-bit output within one grey level', async () => {
    const cases: Partial<FilterOptions>[] = [
      { ...presetOptions('sobel-magnitude'), channels: 'rgb', channelMask: [true, false, true], border: 'reflect' },
      { kernel: { matrix: seededKernel(3, 5, 6) }, channels: 'sum', channelKernels: [seededKernel(3, 5, 6), seededKernel(3, 5, 7), seededKernel(3, 5, 8)], border: 'wrap', output: 'offset' },
      { ...presetOptions('unsharp', { amount: 1.5, radius: 2, threshold: 3 }), channels: 'rgb', border: 'symmetric', output: 'clamp' },
    ];
    for (const opts of cases) {
      const a = await applyFilter(photo, { ...opts, layout: 'blocks' });
      const b = await applyFilter(photo, { ...opts, layout: 'strips' });
      expect(maxByteDiff(a, b)).toBeLessThanOrEqual(1);
    }
  });
});

describe('whole-output tile', () => {
  it('320 columns leave no padding: the read-back plane is the output, equal to the strip path in float and 8-bit', async () => {
    const even = await crop('coffee.png', 100, 50, 320, 199);
    for (const opts of [defaultFilterOptions, { ...defaultFilterOptions, ...presetOptions('gaussian', { sigma: 1.2, size: 7 }), border: 'reflect' as const }]) {
      const { block, strips } = await both(even, opts);
      expect(maxRelDiff(block.values, strips.values)).toBeLessThanOrEqual(1e-5);
      const a = await applyFilter(even, { ...opts, layout: 'blocks' });
      const b = await applyFilter(even, { ...opts, layout: 'strips' });
      expect(maxByteDiff(a, b)).toBeLessThanOrEqual(1);
    }
  });
});

describe('path choice', () => {
  it('auto takes the block path on wasm at stride 1 and the strip path at stride 2; no tensor leaks', async () => {
    // The choice among the tfjs paths, as where WebAssembly SIMD is missing (filter-simd.test.ts covers SIMD).
    setSimdDisabled(true);
    try {
      const before = tf.memory().numTensors;
      expect((await convolveImage(photo, defaultFilterOptions)).plan.kind).toBe('block');
      expect((await convolveImage(photo, { ...defaultFilterOptions, stride: 2 })).plan.kind).not.toBe('block');
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      setSimdDisabled(false);
    }
  });

  it('the block kernel puts tap kx of output lane q at block dj, input lane p with dj·B + p − q = kx', () => {
    const m = [[1, 2, 3]];
    const lanes = 4;
    const nb = blocksFor(3, lanes);
    const f = blockKernel(m, lanes);
    expect(nb).toBe(2);
    // Output lane 3 reads input lanes 3 (kx 0), then block 1 lanes 0 and 1 (kx 1, 2).
    const at = (dj: number, p: number, q: number) => f[(dj * lanes + p) * lanes + q];
    expect([at(0, 3, 3), at(1, 0, 3), at(1, 1, 3), at(0, 2, 3)]).toEqual([1, 2, 3, 0]);
  });
});
