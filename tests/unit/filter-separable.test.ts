/** Separable kernels past the dense 31x31 limit: a σ=10 Gaussian (61 taps) as two 1-D passes, against scipy. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFilter, convolveImage, convolveResponse } from '../../src/filter/compute/convolve';
import { MAX_KERNEL_SIDE, MAX_SEPARABLE_SIDE, parseKernelFile, validateKernel } from '../../src/filter/compute/filter-kernel';
import { defaultFilterOptions, type FilterOptions } from '../../src/filter/compute/filter-options';
import { findPreset, presetOptions } from '../../src/filter/compute/kernels';
import type { RgbaImage } from '../../src/core/image';
import { crop, maxRelDiff, PYTHON, readNpy, useWasm, writeRgbNpy, type NpyArray } from './filter-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'filter-separable-'));

// scipy's own Gaussian (truncate 3 → radius 30, 61 taps) and two explicit convolve1d passes, per channel.
const script = `
import sys, numpy as np, scipy.ndimage as ndi
rgb = np.load(sys.argv[1]).astype(np.float64)
x = np.arange(-30, 31, dtype=np.float64)
w = np.exp(-0.5 * x * x / 100.0); w /= w.sum()
g = np.stack([ndi.gaussian_filter(rgb[:, :, c], 10.0, mode='nearest', truncate=3.0) for c in range(3)], axis=2)
t = np.stack([ndi.convolve1d(ndi.convolve1d(rgb[:, :, c], w, axis=0, mode='nearest'), w, axis=1, mode='nearest') for c in range(3)], axis=2)
np.save(sys.argv[2], g); np.save(sys.argv[3], t)
`;

let photo: RgbaImage;
let gaussianRef: NpyArray;
let passesRef: NpyArray;

beforeAll(async () => {
  await useWasm();
  photo = await crop('coffee.png', 250, 120, 96, 64);
  const inPath = join(dir, 'in.npy');
  writeRgbNpy(inPath, photo);
  execFileSync(PYTHON, ['-c', script, inPath, join(dir, 'g.npy'), join(dir, 't.npy')]);
  gaussianRef = readNpy(join(dir, 'g.npy'));
  passesRef = readNpy(join(dir, 't.npy'));
});

const sigma10 = (): Partial<FilterOptions> => ({ ...presetOptions('gaussian', { sigma: 10 }), channels: 'rgb', border: 'replicate' });

describe('σ=10 Gaussian (61 taps, past the dense 31x31 limit)', () => {
  it('the preset builds all 61 taps (it was cut to 31 before)', () => {
    const m = presetOptions('gaussian', { sigma: 10 }).kernel.matrix;
    expect([m.length, m[0]!.length]).toEqual([61, 61]);
    expect(validateKernel({ matrix: m })).toBeNull();
    expect(MAX_SEPARABLE_SIDE).toBeGreaterThanOrEqual(127);
    // The panel's sliders: σ reaches 10 and the side 127 (box too).
    const gauss = findPreset('gaussian')!.params;
    expect(gauss.find((p) => p.name === 'sigma')!.max).toBeGreaterThanOrEqual(10);
    expect(gauss.find((p) => p.name === 'size')!.max).toBe(MAX_SEPARABLE_SIDE);
    expect(findPreset('box')!.params[0]!.max).toBe(MAX_SEPARABLE_SIDE);
  });

  it.each(['auto', 'direct', 'strips', 'blocks'] as const)('matches scipy gaussian_filter and convolve1d twice (layout %s), as two 1-D passes', async (layout) => {
    const resp = await convolveResponse(photo, { ...sigma10(), layout });
    expect([resp.height, resp.width, resp.channels]).toEqual(gaussianRef.shape);
    expect(maxRelDiff(resp.values, gaussianRef.data)).toBeLessThanOrEqual(1e-4);
    expect(maxRelDiff(resp.values, passesRef.data)).toBeLessThanOrEqual(1e-4);
    const { plan } = await convolveImage(photo, { ...defaultFilterOptions, ...sigma10(), layout });
    expect('separable' in plan ? plan.separable : plan.kind === 'separable').toBe(true);
  });

  it('runs as two passes even when separable is "never" (the dense limit stays 31x31)', async () => {
    const opts = { ...defaultFilterOptions, ...sigma10(), separable: 'never' as const, layout: 'direct' as const };
    const { plan } = await convolveImage(photo, opts);
    expect('separable' in plan && plan.separable).toBe(true);
    const out = await applyFilter(photo, opts);
    let worst = 0;
    for (let i = 0; i < photo.width * photo.height; i++) {
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out.data[4 * i + c]! - Math.round(gaussianRef.data[3 * i + c]!)));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('the kernel size limits', () => {
  const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

  it('refuses a dense 33x33 custom kernel with one line', async () => {
    const text = JSON.stringify({ matrix: identity(33) });
    let message = '';
    try {
      parseKernelFile(text, 'k.json');
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    expect(message).toBe(`k.json: the kernel is 33x33 (width x height) and not separable (rank 1): the largest allowed is ${MAX_KERNEL_SIDE}x${MAX_KERNEL_SIDE} (separable ones, two 1-D passes, up to ${MAX_SEPARABLE_SIDE}).`);
    await expect(applyFilter(photo, { kernel: { matrix: identity(33) } })).rejects.toThrow(/^The kernel is 33x33 [^\n]*31x31/);
    // A 31x31 dense kernel is still fine.
    expect(validateKernel({ matrix: identity(31) })).toBeNull();
  });

  it('accepts a rank-1 custom kernel up to 127 taps, refuses 128', () => {
    const row = (n: number) => [Array.from({ length: n }, (_, i) => (i % 3) - 1)];
    expect(parseKernelFile(JSON.stringify({ matrix: row(127) })).matrix[0]).toHaveLength(127);
    expect(() => parseKernelFile(JSON.stringify({ matrix: row(128) }), 'k.json')).toThrow(/^k.json: the kernel is 128x1 [^\n]*127x127/);
  });
});
