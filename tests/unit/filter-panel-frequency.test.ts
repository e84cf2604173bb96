/** The Filter panel's frequency-response image against numpy's FFT of the zero-padded, dilated kernel. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kernelSpectrum, logLevel, responseImage, responseMagnitude, RESPONSE_SIZE } from '../../src/filter/ui/frequency';
import { defaultFilterOptions } from '../../src/filter/compute/filter-options';
import { presetOptions } from '../../src/filter/compute/kernels';
import { PYTHON } from './filter-fixtures';

/** numpy: fftshift(fft2(kernel dilated by d, zero-padded to n x n)) as [re, im] arrays. */
function numpySpectrum(m: number[][], d: number, n: number): { re: number[]; im: number[] } {
  const py = `
import sys, json, numpy as np
a = json.load(sys.stdin)
k = np.array(a['m'], dtype=np.float64)
d, n = a['d'], a['n']
z = np.zeros(((k.shape[0] - 1) * d + 1, (k.shape[1] - 1) * d + 1))
z[::d, ::d] = k
pad = np.zeros((max(n, z.shape[0]), max(n, z.shape[1])))
pad[:z.shape[0], :z.shape[1]] = z
# Fold a kernel longer than n back onto n samples: the DTFT sampled at n points.
f = np.zeros((n, n), dtype=np.float64)
for i in range(pad.shape[0]):
    for j in range(pad.shape[1]):
        f[i % n, j % n] += pad[i, j]
F = np.fft.fftshift(np.fft.fft2(f))
print(json.dumps({'re': F.real.ravel().tolist(), 'im': F.imag.ravel().tolist()}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', py], { input: JSON.stringify({ m, d, n }) }).toString()) as { re: number[]; im: number[] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('kernel spectrum', () => {
  const cases: [string, number[][], number][] = [
    ['sobel x', presetOptions('sobel-x').kernel.matrix, 1],
    ['asymmetric 3x5', [[1, -2, 0, 3, -1], [0, 4, -3, 0, 2], [-1, 0, 2, -2, 1]], 1],
    ['gaussian 7x7, dilation 3', presetOptions('gaussian', { sigma: 1 }).kernel.matrix, 3],
    ['box 31 (longer than n/2), dilation 3 (extent 91 > n)', presetOptions('box', { n: 31 }).kernel.matrix, 3],
  ];
  for (const [name, m, d] of cases) {
    it(`${name} matches numpy fft2`, () => {
      const got = kernelSpectrum(m, d, RESPONSE_SIZE);
      const ref = numpySpectrum(m, d, RESPONSE_SIZE);
      const scale = Math.max(1, ...ref.re.map(Math.abs));
      expect(maxAbsDiff(got.re, ref.re) / scale).toBeLessThan(1e-9);
      expect(maxAbsDiff(got.im, ref.im) / scale).toBeLessThan(1e-9);
    });
  }
});

describe('response magnitude and image', () => {
  it('gradient magnitude is sqrt(|Fx|² + |Fy|²); one kernel is |F| / divisor', () => {
    const p = presetOptions('sobel-magnitude');
    const mag = responseMagnitude({ ...defaultFilterOptions, ...p });
    const x = numpySpectrum(p.kernel.matrix, 1, RESPONSE_SIZE);
    const y = numpySpectrum(p.extraKernels![0]!, 1, RESPONSE_SIZE);
    const ref = x.re.map((_, k) => Math.sqrt(x.re[k]! ** 2 + x.im[k]! ** 2 + y.re[k]! ** 2 + y.im[k]! ** 2));
    expect(maxAbsDiff(mag, ref)).toBeLessThan(1e-9);

    const box = presetOptions('box', { n: 3 });
    const bm = responseMagnitude({ ...defaultFilterOptions, ...box });
    // A box of ones over its divisor 9 passes the zero frequency unchanged (gain 1).
    expect(bm[(RESPONSE_SIZE / 2) * RESPONSE_SIZE + RESPONSE_SIZE / 2]).toBeCloseTo(1, 12);
  });

  it('the image is peak-normalised on a log scale: a zero-sum kernel has a black centre', () => {
    const p = presetOptions('laplacian-4');
    const { image, peak, dc } = responseImage(responseMagnitude({ ...defaultFilterOptions, ...p }));
    // Laplacian 4 peaks at the Nyquist corner: |−4 − 2 − 2| = 8.
    expect(peak).toBeCloseTo(8, 9);
    expect(dc).toBeCloseTo(0, 9);
    const c = 4 * ((RESPONSE_SIZE / 2) * RESPONSE_SIZE + RESPONSE_SIZE / 2);
    expect(Array.from(image.data.subarray(c, c + 4))).toEqual([0, 0, 4, 255]);
    expect(Array.from(image.data.subarray(0, 4))).toEqual([252, 255, 164, 255]);
    expect(logLevel(8e-3, 8)).toBeCloseTo(0, 12);
    expect(logLevel(8e-2, 8)).toBeCloseTo(1 / 3, 12);
  });
});
