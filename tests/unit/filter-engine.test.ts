/** Engine behaviour beyond scipy parity: hand-computed cases, tiling, separable path, combining, leaks. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFilter, convolveResponse } from '../../src/filter/compute/convolve';
import type { FilterOptions } from '../../src/filter/compute/filter-options';
import { AbortError } from '../../src/core/job';
import { presetOptions } from '../../src/filter/compute/kernels';
import type { RgbaImage } from '../../src/core/image';
import { crop, maxRelDiff, useWasm } from './filter-fixtures';

/** A grey image whose luma equals the given values exactly (r = g = b). */
function grey(rows: number[][]): RgbaImage {
  const h = rows.length;
  const w = rows[0]!.length;
  const data = new Uint8ClampedArray(w * h * 4);
  rows.flat().forEach((v, i) => data.set([v, v, v, 255], 4 * i));
  return { width: w, height: h, data };
}

const I = grey([
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10, 11, 12],
]);
// out = I[x] + 2·I[x+1] under correlation.
const right = { kernel: { matrix: [[0, 0, 0], [0, 1, 2], [0, 0, 0]] } };

async function resp(img: RgbaImage, opts: Partial<FilterOptions>): Promise<number[][]> {
  const r = await convolveResponse(img, opts);
  return Array.from({ length: r.height }, (_, y) => Array.from(r.values.subarray(y * r.width, (y + 1) * r.width)));
}

let photo: RgbaImage;
beforeAll(async () => {
  await useWasm();
  photo = await crop('dandelions_5312x2988.jpg', 2400, 1300, 300, 200);
});

describe('hand-computed 3x4 cases', () => {
  it('correlation with zero border', async () => {
    expect(await resp(I, right)).toEqual([[5, 8, 11, 4], [17, 20, 23, 8], [29, 32, 35, 12]]);
  });
  it('flip gives true convolution (kernel rotated 180°)', async () => {
    expect(await resp(I, { ...right, flip: true })).toEqual([[1, 4, 7, 10], [5, 16, 19, 22], [9, 28, 31, 34]]);
  });
  it('each border mode supplies the column beyond the right edge', async () => {
    const lastCol = async (border: FilterOptions['border']) => (await resp(I, { ...right, border })).map((r) => r[3]);
    expect(await lastCol('replicate')).toEqual([4 + 2 * 4, 8 + 2 * 8, 12 + 2 * 12]);
    expect(await lastCol('wrap')).toEqual([4 + 2 * 1, 8 + 2 * 5, 12 + 2 * 9]);
    expect(await lastCol('reflect')).toEqual([4 + 2 * 3, 8 + 2 * 7, 12 + 2 * 11]);
    expect(await lastCol('symmetric')).toEqual([4 + 2 * 4, 8 + 2 * 8, 12 + 2 * 12]);
  });
  it('stride keeps every s-th row and column; valid crops; dilation spreads taps', async () => {
    expect(await resp(I, { ...right, stride: 2 })).toEqual([[5, 11], [29, 35]]);
    expect(await resp(I, { kernel: { matrix: [[1, 1], [1, 1]] }, mode: 'valid' })).toEqual([[14, 18, 22], [30, 34, 38]]);
    // [1, 0, 1] dilated by 2 reads x-2 and x+2 (zero outside).
    expect(await resp(I, { kernel: { matrix: [[1, 0, 1]] }, dilation: 2 })).toEqual([[0, 0, 1, 2], [0, 0, 5, 6], [0, 0, 9, 10]].map((r, y) => r.map((v, x) => v + ([[3, 4, 0, 0], [7, 8, 0, 0], [11, 12, 0, 0]][y]![x]!))));
  });
  it('GIMP normalise: zero-sum kernel on a flat image gives 128; negative sum inverts around 255', async () => {
    const flat = grey([[50, 50, 50], [50, 50, 50], [50, 50, 50]]);
    const lap = await applyFilter(flat, { kernel: { matrix: [[0, 1, 0], [1, -4, 1], [0, 1, 0]] }, normalise: true, output: 'clamp', border: 'replicate' });
    expect(lap.data[4 * 4]).toBe(128);
    const neg = await applyFilter(flat, { kernel: { matrix: [[0, -1, 0], [-1, -1, -1], [0, -1, 0]] }, normalise: true, output: 'clamp', border: 'replicate' });
    expect(neg.data[4 * 4]).toBe(255 - 50);
  });
});

describe('tiling and the separable path change nothing', () => {
  const variants: [string, Partial<FilterOptions>][] = [
    ['dense 9x9 reflect', { kernel: { matrix: Array.from({ length: 9 }, (_, i) => Array.from({ length: 9 }, (_, j) => Math.sin(i * 3 + j))) }, border: 'reflect' }],
    ['gaussian wrap rgb', { ...presetOptions('gaussian', { sigma: 2 }), border: 'wrap', channels: 'rgb' }],
    ['stride 3 dilation 2 valid', { kernel: { matrix: [[1, -2, 3], [0, 4, -1]] }, stride: 3, dilation: 2, mode: 'valid' }],
    ['sobel magnitude sum', { ...presetOptions('sobel-magnitude'), channels: 'sum' }],
  ];
  it.each(variants)('%s: 40-px tiles equal one tile', async (_n, opts) => {
    const one = await convolveResponse(photo, opts);
    const tiled = await convolveResponse(photo, { ...opts, tileSize: 40 });
    expect([tiled.width, tiled.height]).toEqual([one.width, one.height]);
    expect(maxRelDiff(tiled.values, one.values)).toBeLessThanOrEqual(1e-6);
    const a = await applyFilter(photo, opts);
    const b = await applyFilter(photo, { ...opts, tileSize: 40 });
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
  });

  it.each([
    ['gaussian 7x7', presetOptions('gaussian', { sigma: 1.2, size: 7 })],
    ['box 31', presetOptions('box', { n: 31 })],
    ['sobel-x dilated', { ...presetOptions('sobel-x'), dilation: 3, border: 'replicate' as const }],
  ])('%s: separable equals direct', async (_n, opts) => {
    const sep = await convolveResponse(photo, { ...opts, separable: 'always' });
    const direct = await convolveResponse(photo, { ...opts, separable: 'never' });
    expect(maxRelDiff(sep.values, direct.values)).toBeLessThanOrEqual(1e-5);
  });
});

describe('combined kernels', () => {
  it('Sobel magnitude is hypot of Sobel x and y; Kirsch is the max of its 8 directions', async () => {
    const mag = await convolveResponse(photo, presetOptions('sobel-magnitude'));
    const gx = await convolveResponse(photo, presetOptions('sobel-x'));
    const gy = await convolveResponse(photo, presetOptions('sobel-y'));
    expect(maxRelDiff(mag.values, gx.values.map((v, i) => Math.hypot(v, gy.values[i]!)))).toBeLessThanOrEqual(1e-6);
    const k = await convolveResponse(photo, presetOptions('kirsch'));
    const each = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((d) => convolveResponse(photo, presetOptions('kirsch', { direction: d }))));
    expect(maxRelDiff(k.values, k.values.map((_, i) => Math.max(...each.map((e) => e.values[i]!))))).toBe(0);
  });

  it('direction colours a rising vertical edge red (angle 0) and a rising horizontal edge (angle 90°) yellow-green', async () => {
    const vEdge = grey(Array.from({ length: 5 }, () => [0, 0, 0, 200, 200, 200]));
    const outV = await applyFilter(vEdge, { ...presetOptions('sobel-direction'), border: 'replicate' });
    const at = (img: RgbaImage, y: number, x: number) => Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 3));
    expect(at(outV, 2, 2)).toEqual([255, 0, 0]);
    const hEdge = grey([[0, 0, 0], [0, 0, 0], [200, 200, 200], [200, 200, 200]]);
    const outH = await applyFilter(hEdge, { ...presetOptions('sobel-direction'), border: 'replicate' });
    // hue 90° of 360° = 0.25 turn: RGB (0.5, 1, 0).
    const [r, g, b] = at(outH, 1, 1);
    expect([Math.abs(r! - 127.5) <= 1, g, b]).toEqual([true, 255, 0]);
  });

  it('unsharp: threshold above every detail leaves the image; threshold 0 is the linear mask', async () => {
    const opts = presetOptions('unsharp', { amount: 1.5, radius: 1, threshold: 255 });
    const id = await convolveResponse(photo, presetOptions('identity'));
    expect(maxRelDiff((await convolveResponse(photo, opts)).values, id.values)).toBe(0);
    const lin = presetOptions('unsharp', { amount: 1.5, radius: 1, threshold: 0 });
    const m = lin.kernel.matrix.map((r, i) => r.map((v, j) => v + 1.5 * lin.extraKernels![0]![i]![j]!));
    const a = await convolveResponse(photo, lin);
    const b = await convolveResponse(photo, { kernel: { matrix: m } });
    expect(maxRelDiff(a.values, b.values)).toBeLessThanOrEqual(1e-5);
  });
});

describe('pass-through channels and alpha follow the output grid', () => {
  it.each([
    ['valid 5x3', { mode: 'valid' as const, kernel: { matrix: [[1, 2, 1], [0, 1, 0], [1, 0, 1], [2, 2, 2], [0, 1, 0]] } }, 2, 1, 1],
    ['stride 3 same', { stride: 3, kernel: { matrix: [[1, 2, 1]] } }, 0, 0, 3],
  ])('%s', async (_n, opts, dy, dx, s) => {
    const img: RgbaImage = { ...photo, data: photo.data.map((v, i) => (i % 4 === 3 ? (i >> 2) % 251 : v)) as Uint8ClampedArray };
    const out = await applyFilter(img, { ...opts, channels: 'rgb', channelMask: [true, false, true], output: 'clamp' });
    let ok = true;
    for (let y = 0; y < out.height; y++) {
      for (let x = 0; x < out.width; x++) {
        const si = 4 * ((y * s + dy) * img.width + x * s + dx);
        const oi = 4 * (y * out.width + x);
        ok &&= out.data[oi + 1] === img.data[si + 1] && out.data[oi + 3] === img.data[si + 3];
      }
    }
    expect(ok).toBe(true);
  });
});

describe('jobs', () => {
  it('leaks no tensors over 20 runs', async () => {
    await applyFilter(photo, presetOptions('sobel-magnitude'));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      await applyFilter(photo, { ...presetOptions(i % 2 ? 'gaussian' : 'kirsch'), tileSize: 64, channels: i % 3 ? 'rgb' : 'luma' });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops with AbortError when cancelled; refuses a valid-mode kernel larger than the image', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(applyFilter(photo, {}, { signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    await expect(applyFilter(I, { kernel: { matrix: [[1, 1, 1, 1, 1]] }, mode: 'valid' })).rejects.toThrow(/smaller than the dilated kernel/);
  });

  // A worker reads the cancel message only between tasks: abort from a macrotask, as the message would.
  for (const layout of ['blocks', 'strips', 'direct'] as const) {
    it(`a cancel arriving as a message stops a tiled ${layout} run within one tile; nothing is mapped`, async () => {
      const ac = new AbortController();
      const labels: string[] = [];
      const run = applyFilter(photo, { ...presetOptions('gaussian', { sigma: 3 }), channels: 'rgb', border: 'reflect', tileSize: 48, layout }, {
        signal: ac.signal,
        onProgress: (p) => {
          labels.push(p.label);
          if (labels.length === 1) setTimeout(() => ac.abort(), 0);
        },
      });
      await expect(run).rejects.toBeInstanceOf(AbortError);
      // At most the tile under way when the message came, and one more step.
      expect(labels.length).toBeLessThanOrEqual(2);
      expect(labels).not.toContain('Mapping output');
    });
  }

  it('abs-max scales by the given whole-image level when one is passed (a preview of a crop)', async () => {
    const opts = { kernel: { matrix: [[-1, 0, 1]] }, output: 'abs-max' as const };
    const own = await applyFilter(I, opts);
    // |I[x+1] - I[x-1]| is 2 inside and up to 11 at the zero border: its own max maps 11 to 255.
    expect(own.data[4 * 1]).toBe(Math.round((2 * 255) / 11));
    const given = await applyFilter(I, { ...opts, absMax: 4 });
    expect(given.data[4 * 1]).toBe(Math.round((2 * 255) / 4));
  });
});
