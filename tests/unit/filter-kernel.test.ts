/** Kernel files, validation, rank-1 detection, presets, planning and tiling arithmetic (no tfjs). */
import { describe, expect, it } from 'vitest';
import { gimpNormalisation, kernelFileText, kernelInfo, parseKernelFile, separateKernel, validateKernel } from '../../src/filter/compute/filter-kernel';
import { filterGeometry, planTiles } from '../../src/filter/compute/filter-geometry';
import { fastestBackend, planConvolution } from '../../src/filter/compute/filter-plan';
import { findPreset, kernelPresets, presetOptions } from '../../src/filter/compute/kernels';

describe('kernel files', () => {
  it('reads the documented format and writes it back', () => {
    const k = parseKernelFile('{"name": "mine", "matrix": [[1, 2], [3, 4]], "divisor": 10, "offset": 5}');
    expect(k).toEqual({ name: 'mine', matrix: [[1, 2], [3, 4]], divisor: 10, offset: 5 });
    expect(parseKernelFile(kernelFileText(k))).toEqual(k);
  });
  it.each([
    ['not JSON', '{"matrix": [[1, 2]', /not valid JSON/],
    ['no matrix', '{"name": "x"}', /"matrix" field is missing/],
    ['empty', '{"matrix": []}', /empty/],
    ['empty row', '{"matrix": [[]]}', /empty/],
    ['NaN as a string', '{"matrix": [[1, "NaN"]]}', /row 1, column 2 .* not a finite number/],
    ['null value', '{"matrix": [[1, 2], [3, null]]}', /row 2, column 2 .* not a finite number/],
    ['non-rectangular', '{"matrix": [[1, 2, 3], [4, 5]]}', /not rectangular: row 2 has 2 values, row 1 has 3/],
    // Dense (rank > 1): a rank-1 kernel may be longer (two 1-D passes), see filter-separable.test.ts.
    ['33x33', JSON.stringify({ matrix: Array.from({ length: 33 }, (_, i) => Array.from({ length: 33 }, (_, j) => (i === j ? 1 : 0))) }), /33x33 .* largest allowed is 31x31/],
    ['32 wide', JSON.stringify({ matrix: [new Array(32).fill(1), new Array(32).fill(0).fill(1, 0, 1)] }), /32x2 .* largest allowed/],
    ['divisor 0', '{"matrix": [[1]], "divisor": 0}', /"divisor" must not be 0/],
    ['a list, not an object', '[[1, 2]]', /expected an object/],
  ])('refuses %s with a clear message', (_n, text, msg) => {
    expect(() => parseKernelFile(text, 'k.json')).toThrow(msg);
  });
  it('validateKernel refuses NaN, Infinity and a zero divisor', () => {
    expect(validateKernel({ matrix: [[1, NaN]] })).toMatch(/not a finite number/);
    expect(validateKernel({ matrix: [[Infinity]] })).toMatch(/not a finite number/);
    expect(validateKernel({ matrix: [[1]], divisor: 0 })).toMatch(/divisor/);
    expect(validateKernel({ matrix: [[1, 2, 3]] })).toBeNull();
  });
});

describe('rank-1 detection and normalisation', () => {
  it('splits Sobel and box into integer factors and refuses rank 2', () => {
    const sobel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
    const s = separateKernel(sobel)!;
    expect(s.col.map((a) => s.row.map((b) => a * b + 0))).toEqual(sobel);
    expect([...s.col, ...s.row].every(Number.isInteger)).toBe(true);
    const box = separateKernel([[1, 1], [1, 1], [1, 1]]);
    expect(box).toEqual({ col: [1, 1, 1], row: [1, 1] });
    expect(separateKernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]])).toBeNull();
    expect(kernelInfo([[0, 1, 0], [1, -4, 1], [0, 1, 0]])).toEqual({ sum: 0, separable: false, zeroSum: true });
  });
  it('GIMP normalise: ÷sum, ÷-sum +255, or +128', () => {
    expect(gimpNormalisation([[1, 2], [3, 4]])).toEqual({ divisor: 10, offset: 0 });
    expect(gimpNormalisation([[-1, -2]])).toEqual({ divisor: 3, offset: 255 });
    expect(gimpNormalisation([[-1, 1]])).toEqual({ divisor: 1, offset: 128 });
  });
});

describe('presets', () => {
  it('every preset builds valid, same-sized kernels for its defaults', () => {
    for (const p of kernelPresets) {
      const o = presetOptions(p.name);
      expect(validateKernel(o.kernel), p.name).toBeNull();
      for (const m of o.extraKernels ?? []) expect([m.length, m[0]!.length], p.name).toEqual([o.kernel.matrix.length, o.kernel.matrix[0]!.length]);
    }
    expect(kernelPresets.length).toBeGreaterThanOrEqual(25);
  });
  it('parameters shape the kernels: Gaussian sums to 1, LoG and DoG to 0, box n x n, 8 distinct Kirsch kernels', () => {
    const g = presetOptions('gaussian', { sigma: 2 }).kernel.matrix;
    expect(g.length).toBe(13);
    expect(kernelInfo(g).sum).toBeCloseTo(1, 12);
    expect(kernelInfo(g).separable).toBe(true);
    expect(presetOptions('gaussian', { sigma: 1, size: 5 }).kernel.matrix.length).toBe(5);
    expect(Math.abs(kernelInfo(presetOptions('log', { sigma: 2 }).kernel.matrix).sum)).toBeLessThan(1e-12);
    expect(Math.abs(kernelInfo(presetOptions('dog', { sigma1: 1, sigma2: 3 }).kernel.matrix).sum)).toBeLessThan(1e-9);
    const log = presetOptions('log', { sigma: 1.4 }).kernel.matrix;
    expect(log[4]![4]!).toBeLessThan(0);
    expect(presetOptions('box', { n: 4 }).kernel).toMatchObject({ divisor: 16 });
    const kirsch = presetOptions('kirsch');
    const all = [kirsch.kernel.matrix, ...kirsch.extraKernels!].map((m) => JSON.stringify(m));
    expect(new Set(all).size).toBe(8);
    expect(kirsch.combine).toBe('max');
  });
  it('refuses unknown names, unknown parameters and out-of-range values', () => {
    expect(() => presetOptions('nope')).toThrow(/unknown kernel “nope”/);
    expect(() => presetOptions('gaussian', { radius: 2 })).toThrow(/no parameter “radius” \(it takes sigma, size\)/);
    expect(() => presetOptions('box', { n: 2.5 })).toThrow(/whole number/);
    expect(() => presetOptions('log', { sigma: 50 })).toThrow(/from 0.1 to 10/);
    expect(findPreset('edges-horizontal')!.build({}).kernel.matrix).toEqual([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]);
  });
});

describe('planning', () => {
  const term = (m: number[][]) => [{ plane: 0, out: 0, matrix: m }];
  const rand = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.sin(i * 5 + j * 2 + 1)));
  it('runs 3x3 whole, a 7x7 Gaussian as two 9-tap passes, 15x15 dense as 5x5 pieces on wasm', () => {
    const p3 = planConvolution(term(rand(3)), { dilation: 1, separable: 'auto', backend: 'wasm' });
    expect([p3.kind, p3.ph, p3.pw, p3.streams.length]).toEqual(['dense', 3, 3, 1]);
    const g = presetOptions('gaussian', { sigma: 1.2, size: 7 }).kernel.matrix;
    const pg = planConvolution(term(g), { dilation: 1, separable: 'auto', backend: 'wasm' });
    expect([pg.kind, pg.ph, pg.pw, pg.streams.length]).toEqual(['separable', 9, 9, 1]);
    const p15 = planConvolution(term(rand(15)), { dilation: 1, separable: 'auto', backend: 'wasm' });
    expect([p15.kind, p15.ph, p15.pw, p15.streams.length]).toEqual(['dense', 5, 5, 9]);
    const pc = planConvolution(term(rand(15)), { dilation: 1, separable: 'auto', backend: 'cpu' });
    expect([pc.ph, pc.pw, pc.streams.length]).toEqual([15, 15, 1]);
  });
  it('tiles cover every output pixel exactly once and respect the side limit', () => {
    const g = filterGeometry(1000, 700, 7, 5, { mode: 'same', stride: 2, dilation: 3 });
    expect([g.height, g.width]).toEqual([500, 350]);
    const tiles = planTiles(g, 128, 4);
    const seen = new Uint8Array(g.width * g.height);
    for (const t of tiles) {
      expect((t.rows - 1) * 2 + g.eh).toBeLessThanOrEqual(128);
      for (let y = t.oy; y < t.oy + t.rows; y++) for (let x = t.ox; x < t.ox + t.cols; x++) seen[y * g.width + x]!++;
    }
    expect(seen.every((v) => v === 1)).toBe(true);
    expect(fastestBackend({ webgl: 250, wasm: 16, cpu: 170 })).toBe('wasm');
    expect(fastestBackend({})).toBeNull();
  });
});
