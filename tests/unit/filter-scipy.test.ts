/** The convolution engine against scipy (signal and ndimage) on real photo crops, every option. */
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFilter, convolveResponse } from '../../src/filter/compute/convolve';
import type { FilterOptions } from '../../src/filter/compute/filter-options';
import type { RgbaImage } from '../../src/core/image';
import { crop, maxLevelDiff, maxRelDiff, reference, useWasm, type NpyArray, type RefCase } from './filter-fixtures';

/** Seeded pseudo-random kernel (values in [-1, 1) with 2 decimals), so no case is symmetric by accident. */
function randomKernel(h: number, w: number, seed: number): number[][] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round(((s / 2 ** 32) * 2 - 1) * 100) / 100;
  };
  return Array.from({ length: h }, () => Array.from({ length: w }, next));
}

function gaussian1d(sigma: number, n: number): number[] {
  const c = (n - 1) / 2;
  const g = Array.from({ length: n }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)));
  const sum = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / sum);
}

const article = [[-1, -1, -1], [0, 0, 0], [1, 1, 1]];
const asym53 = randomKernel(5, 3, 1);
const even44 = randomKernel(4, 4, 2);
const dense9 = randomKernel(9, 9, 3);
const dense15 = randomKernel(15, 15, 4);
const dense31 = randomKernel(31, 31, 5);
const g7 = gaussian1d(1.2, 7);
const gauss7 = g7.map((a) => g7.map((b) => a * b));
const g31 = gaussian1d(5, 31);
const sep31x5 = g31.map((a) => [1, -2, 0, 2, -1].map((b) => a * b));
const chanKernels: [number[][], number[][], number[][]] = [randomKernel(3, 5, 6), randomKernel(3, 5, 7), randomKernel(3, 5, 8)];

interface Case {
  id: string;
  photo: 'coffee' | 'chelsea' | 'rocket' | 'astronaut' | 'dandelions';
  opts: Partial<FilterOptions>;
  ref: Omit<RefCase, 'id' | 'image' | 'kernels' | 'channels'> & { kernels?: number[][][] };
}

// Even-sized kernels: correlation centres at floor(k/2) like OpenCV and ndimage (scipy.signal.correlate2d
// centres at (k-1)/2), true convolution like scipy.signal.convolve2d; the cases compare accordingly.
const k = (matrix: number[][]) => ({ kernel: { matrix } });
const cases: Case[] = [
  { id: 'article_fill_corr', photo: 'coffee', opts: k(article), ref: { fn: 'signal.correlate2d', boundary: 'fill', size: 'same' } },
  { id: 'asym_fill_conv', photo: 'coffee', opts: { ...k(asym53), flip: true }, ref: { fn: 'signal.convolve2d', boundary: 'fill', size: 'same' } },
  { id: 'even_fill_conv', photo: 'chelsea', opts: { ...k(even44), flip: true }, ref: { fn: 'signal.convolve2d', boundary: 'fill', size: 'same' } },
  { id: 'even_const_corr', photo: 'chelsea', opts: k(even44), ref: { fn: 'ndimage.correlate', boundary: 'constant', size: 'same' } },
  { id: 'asym_symm', photo: 'rocket', opts: { ...k(asym53), border: 'symmetric' }, ref: { fn: 'signal.correlate2d', boundary: 'symm', size: 'same' } },
  { id: 'asym_symm_conv', photo: 'rocket', opts: { ...k(asym53), border: 'symmetric', flip: true }, ref: { fn: 'signal.convolve2d', boundary: 'symm', size: 'same' } },
  { id: 'asym_wrap', photo: 'rocket', opts: { ...k(asym53), border: 'wrap' }, ref: { fn: 'signal.correlate2d', boundary: 'wrap', size: 'same' } },
  { id: 'asym_wrap_nd', photo: 'astronaut', opts: { ...k(dense9), border: 'wrap' }, ref: { fn: 'ndimage.correlate', boundary: 'wrap', size: 'same' } },
  { id: 'asym_mirror', photo: 'astronaut', opts: { ...k(asym53), border: 'reflect' }, ref: { fn: 'ndimage.correlate', boundary: 'mirror', size: 'same' } },
  { id: 'asym_nearest', photo: 'astronaut', opts: { ...k(asym53), border: 'replicate' }, ref: { fn: 'ndimage.correlate', boundary: 'nearest', size: 'same' } },
  { id: 'asym_nd_convolve', photo: 'coffee', opts: { ...k(dense9), border: 'reflect', flip: true }, ref: { fn: 'ndimage.convolve', boundary: 'mirror', size: 'same' } },
  { id: 'asym_valid', photo: 'coffee', opts: { ...k(asym53), mode: 'valid' }, ref: { fn: 'signal.correlate2d', boundary: 'fill', size: 'valid' } },
  { id: 'even_valid_conv', photo: 'coffee', opts: { ...k(even44), mode: 'valid', flip: true }, ref: { fn: 'signal.convolve2d', boundary: 'fill', size: 'valid' } },
  { id: 'rgb_nearest', photo: 'dandelions', opts: { ...k(asym53), channels: 'rgb', border: 'replicate' }, ref: { fn: 'ndimage.correlate', boundary: 'nearest', size: 'same' } },
  { id: 'rgb_mirror_valid', photo: 'dandelions', opts: { ...k(dense9), channels: 'rgb', border: 'reflect', mode: 'valid' }, ref: { fn: 'ndimage.correlate', boundary: 'mirror', size: 'valid' } },
  { id: 'rgb_wrap', photo: 'chelsea', opts: { ...k(asym53), channels: 'rgb', border: 'wrap' }, ref: { fn: 'signal.correlate2d', boundary: 'wrap', size: 'same' } },
  { id: 'rgb_wrap_even', photo: 'chelsea', opts: { ...k(even44), channels: 'rgb', border: 'wrap' }, ref: { fn: 'ndimage.correlate', boundary: 'wrap', size: 'same' } },
  { id: 'sum_same', photo: 'chelsea', opts: { ...k(chanKernels[0]), channels: 'sum', channelKernels: chanKernels }, ref: { fn: 'signal.correlate2d', boundary: 'fill', size: 'same', kernels: chanKernels } },
  { id: 'sum_symm_conv', photo: 'rocket', opts: { ...k(chanKernels[0]), channels: 'sum', channelKernels: chanKernels, border: 'symmetric', flip: true }, ref: { fn: 'signal.convolve2d', boundary: 'symm', size: 'same', kernels: chanKernels } },
  { id: 'stride2', photo: 'coffee', opts: { ...k(asym53), stride: 2 }, ref: { fn: 'signal.correlate2d', boundary: 'fill', size: 'same', stride: 2 } },
  { id: 'stride3_valid_rgb', photo: 'dandelions', opts: { ...k(dense9), stride: 3, mode: 'valid', channels: 'rgb' }, ref: { fn: 'signal.correlate2d', boundary: 'fill', size: 'valid', stride: 3 } },
  { id: 'dil2', photo: 'astronaut', opts: { ...k(asym53), dilation: 2, border: 'reflect' }, ref: { fn: 'ndimage.correlate', boundary: 'mirror', size: 'same', dilation: 2 } },
  { id: 'dil3_stride2', photo: 'chelsea', opts: { ...k(even44), dilation: 3, stride: 2, border: 'wrap' }, ref: { fn: 'ndimage.correlate', boundary: 'wrap', size: 'same', dilation: 3, stride: 2 } },
  { id: 'dil3_stride2_conv', photo: 'chelsea', opts: { ...k(even44), dilation: 3, stride: 2, border: 'wrap', flip: true }, ref: { fn: 'signal.convolve2d', boundary: 'wrap', size: 'same', dilation: 3, stride: 2 } },
  { id: 'dil2_sep_valid', photo: 'rocket', opts: { ...k(gauss7), dilation: 2, mode: 'valid', separable: 'always' }, ref: { fn: 'signal.correlate2d', boundary: 'fill', size: 'valid', dilation: 2 } },
  { id: 'gauss7_sep', photo: 'coffee', opts: { ...k(gauss7), border: 'replicate', separable: 'always' }, ref: { fn: 'ndimage.correlate', boundary: 'nearest', size: 'same' } },
  { id: 'sep31x5_stride2', photo: 'coffee', opts: { ...k(sep31x5), border: 'reflect', stride: 2, separable: 'always' }, ref: { fn: 'ndimage.correlate', boundary: 'mirror', size: 'same', stride: 2 } },
  { id: 'dense15', photo: 'dandelions', opts: { ...k(dense15), border: 'symmetric' }, ref: { fn: 'signal.correlate2d', boundary: 'symm', size: 'same' } },
  { id: 'dense31_conv', photo: 'astronaut', opts: { ...k(dense31), flip: true }, ref: { fn: 'signal.convolve2d', boundary: 'fill', size: 'same' } },
  { id: 'one_by_one', photo: 'chelsea', opts: { ...k([[0.37]]), channels: 'rgb' }, ref: { fn: 'ndimage.correlate', boundary: 'constant', size: 'same' } },
];

const spots: Record<Case['photo'], [string, number, number]> = {
  coffee: ['coffee.png', 250, 120],
  chelsea: ['chelsea.png', 170, 90],
  rocket: ['rocket.jpg', 280, 200],
  astronaut: ['astronaut.png', 180, 60],
  dandelions: ['dandelions_5312x2988.jpg', 2600, 1400],
};

const images = new Map<string, RgbaImage>();
let refs: Map<string, NpyArray>;

const mapped: { id: string; photo: Case['photo']; opts: Partial<FilterOptions>; ref: RefCase['fn']; boundary: string; map: 'clamp' | 'abs' | 'abs-max' | 'offset' }[] = [
  { id: 'map_absmax_article', photo: 'coffee', opts: { ...k(article), output: 'abs-max', flip: true }, ref: 'signal.convolve2d', boundary: 'fill', map: 'abs-max' },
  { id: 'map_clamp_gauss', photo: 'chelsea', opts: { ...k(gauss7), output: 'clamp', border: 'symmetric' }, ref: 'signal.correlate2d', boundary: 'symm', map: 'clamp' },
  { id: 'map_offset_asym', photo: 'rocket', opts: { ...k(asym53), output: 'offset', channels: 'rgb', border: 'wrap' }, ref: 'signal.correlate2d', boundary: 'wrap', map: 'offset' },
  { id: 'map_abs_dense', photo: 'dandelions', opts: { ...k(dense9), output: 'abs' }, ref: 'signal.correlate2d', boundary: 'fill', map: 'abs' },
];

beforeAll(async () => {
  await useWasm();
  for (const [name, [file, x, y]] of Object.entries(spots)) images.set(name, await crop(file, x, y, 96, 64));
  const refCases: RefCase[] = cases.map((c) => {
    const { kernels, ...rest } = c.ref;
    return { id: c.id, image: images.get(c.photo)!, channels: c.opts.channels ?? 'luma', kernels: kernels ?? [c.opts.kernel!.matrix], ...rest };
  });
  for (const m of mapped) {
    refCases.push({ id: m.id, image: images.get(m.photo)!, channels: m.opts.channels ?? 'luma', kernels: [m.opts.kernel!.matrix], fn: m.ref, boundary: m.boundary, size: 'same', map: m.map });
  }
  refs = reference(refCases);
});

describe('float response equals scipy (≤ 1e-4 relative)', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const resp = await convolveResponse(images.get(c.photo)!, c.opts);
    const ref = refs.get(c.id)!;
    expect([resp.height, resp.width, resp.channels]).toEqual(ref.shape);
    expect(maxRelDiff(resp.values, ref.data)).toBeLessThanOrEqual(1e-4);
  });
});

describe('direct engine (the tfjs-cpu path) equals scipy too (≤ 1e-4 relative, ≤ 1 grey level)', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const resp = await convolveResponse(images.get(c.photo)!, { ...c.opts, layout: 'direct' });
    const ref = refs.get(c.id)!;
    expect([resp.height, resp.width, resp.channels]).toEqual(ref.shape);
    expect(maxRelDiff(resp.values, ref.data)).toBeLessThanOrEqual(1e-4);
  });

  it.each(mapped.map((m) => [m.id, m] as const))('%s, 8-bit', async (_id, m) => {
    const out = await applyFilter(images.get(m.photo)!, { ...m.opts, layout: 'direct' });
    expect(maxLevelDiff(out, refs.get(m.id)!)).toBeLessThanOrEqual(1);
  });
});

describe('8-bit output equals the scipy result mapped the same way (≤ 1 grey level)', () => {
  it.each(mapped.map((m) => [m.id, m] as const))('%s', async (_id, m) => {
    const out = await applyFilter(images.get(m.photo)!, m.opts);
    expect(maxLevelDiff(out, refs.get(m.id)!)).toBeLessThanOrEqual(1);
  });

  it('rgb with a channel switched off passes that channel through and keeps alpha', async () => {
    const img = images.get('rocket')!;
    const withAlpha: RgbaImage = { ...img, data: img.data.map((v, i) => (i % 4 === 3 ? (i * 7) % 256 : v)) as Uint8ClampedArray };
    const out = await applyFilter(withAlpha, { ...k(asym53), channels: 'rgb', channelMask: [true, false, true], output: 'offset' });
    const full = await applyFilter(withAlpha, { ...k(asym53), channels: 'rgb', output: 'offset' });
    let passG = true;
    let sameRB = true;
    let alpha = true;
    for (let i = 0; i < img.width * img.height; i++) {
      passG &&= out.data[4 * i + 1] === withAlpha.data[4 * i + 1];
      sameRB &&= out.data[4 * i] === full.data[4 * i] && out.data[4 * i + 2] === full.data[4 * i + 2];
      alpha &&= out.data[4 * i + 3] === withAlpha.data[4 * i + 3];
    }
    expect([passG, sameRB, alpha]).toEqual([true, true, true]);
  });
});
