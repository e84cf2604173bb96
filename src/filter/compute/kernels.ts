/**
 * Named kernels with parameters: the article's edge kernels, gradient operators, smoothing,
 * sharpening and effects. Every preset uses correlation (flip false), the OpenCV/CNN convention:
 * Sobel x is then positive where the image brightens to the right. The article's kernel under
 * true convolution is only negated, so its |response| display is the same either way.
 */
import type { CombineMode, FilterOptions, Kernel, OutputMode } from './filter-options';
import { MAX_KERNEL_SIDE, MAX_SEPARABLE_SIDE } from './filter-kernel';

/** One numeric parameter of a preset. */
export interface PresetParam {
  name: string;
  default: number;
  min: number;
  max: number;
  integer?: boolean;
  doc: string;
}

/** What a preset sets in the filter options. */
export interface PresetResult {
  kernel: Kernel;
  extraKernels?: number[][][];
  combine?: CombineMode;
  unsharp?: { amount: number; threshold: number };
  output: OutputMode;
}

/** A named kernel family. */
export interface KernelPreset {
  name: string;
  description: string;
  params: PresetParam[];
  build(p: Record<string, number>): PresetResult;
}

const transpose = (m: number[][]): number[][] => m[0]!.map((_, j) => m.map((r) => r[j]!));
const outer = (col: number[], row: number[]): number[][] => col.map((a) => row.map((b) => a * b));
const autoSize = (sigma: number, size: number, max = MAX_KERNEL_SIDE): number => {
  const n = size > 0 ? size : 2 * Math.ceil(3 * sigma) + 1;
  return Math.min(max, n);
};

/** Normalised 1-D Gaussian of n taps centred at (n-1)/2. */
export function gaussian1d(sigma: number, n: number): number[] {
  const c = (n - 1) / 2;
  const g = Array.from({ length: n }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)));
  const sum = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / sum);
}

function gaussian2d(sigma: number, n: number): number[][] {
  const g = gaussian1d(sigma, n);
  return outer(g, g);
}

function identity(n: number): number[][] {
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  m[(n - 1) >> 1]![(n - 1) >> 1] = 1;
  return m;
}

const sigmaParam = (def: number, name = 'sigma'): PresetParam => ({ name, default: def, min: 0.1, max: 10, doc: 'Gaussian standard deviation in pixels' });
const sizeParam: PresetParam = { name: 'size', default: 0, min: 0, max: MAX_KERNEL_SIDE, integer: true, doc: 'kernel side; 0 = 2·ceil(3σ)+1 (at most 31)' };
/** The side of a separable preset: it runs as two 1-D passes, so it may pass the dense limit (σ = 10 needs 61). */
const separableSizeParam: PresetParam = { ...sizeParam, max: MAX_SEPARABLE_SIDE, doc: `kernel side; 0 = 2·ceil(3σ)+1 (at most ${MAX_SEPARABLE_SIDE}: two 1-D passes)` };
const fixed = (name: string, description: string, matrix: number[][], output: OutputMode, extra: Partial<Kernel> = {}): KernelPreset => ({
  name, description, params: [], build: () => ({ kernel: { name, matrix, ...extra }, output }),
});

/** Gradient operator pairs: x = smoothing column ⊗ derivative row, y = its transpose. */
const gradientFamilies: Record<string, { x: number[][]; label: string }> = {
  sobel: { x: outer([1, 2, 1], [-1, 0, 1]), label: 'Sobel' },
  prewitt: { x: outer([1, 1, 1], [-1, 0, 1]), label: 'Prewitt' },
  scharr: { x: outer([3, 10, 3], [-1, 0, 1]), label: 'Scharr' },
  roberts: { x: [[1, 0], [0, -1]], label: 'Roberts cross' },
};

function gradientPresets(): KernelPreset[] {
  return Object.entries(gradientFamilies).flatMap(([fam, { x, label }]) => {
    const y = fam === 'roberts' ? [[0, 1], [-1, 0]] : transpose(x);
    return [
      fixed(`${fam}-x`, `${label} horizontal derivative (vertical edges)`, x, 'abs-max'),
      fixed(`${fam}-y`, `${label} vertical derivative (horizontal edges)`, y, 'abs-max'),
      {
        name: `${fam}-magnitude`, description: `${label} gradient magnitude sqrt(gx² + gy²)`, params: [],
        build: () => ({ kernel: { name: `${fam}-magnitude`, matrix: x }, extraKernels: [y], combine: 'magnitude', output: 'abs-max' }),
      },
      {
        name: `${fam}-direction`, description: `${label} gradient direction as hue, magnitude as brightness`, params: [],
        build: () => ({ kernel: { name: `${fam}-direction`, matrix: x }, extraKernels: [y], combine: 'direction', output: 'abs-max' }),
      },
    ];
  });
}

const KIRSCH_RING: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 2], [2, 2], [2, 1], [2, 0], [1, 0]];
/** Compass names of the Kirsch kernels, index = the `direction` parameter. */
export const KIRSCH_DIRECTIONS = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];

/** Kirsch compass kernel i (0 = N, then clockwise by 45°). */
export function kirschKernel(i: number): number[][] {
  const ring = [5, 5, 5, -3, -3, -3, -3, -3];
  const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  KIRSCH_RING.forEach(([r, c], k) => (m[r]![c] = ring[(k - i + 8) % 8]!));
  return m;
}

/** Every preset, in the order the CLI and the panel list them. */
export const kernelPresets: KernelPreset[] = [
  fixed('edges-horizontal', "the article's horizontal-edge kernel (rows -1, 0, +1)", [[-1, -1, -1], [0, 0, 0], [1, 1, 1]], 'abs-max'),
  fixed('edges-vertical', "the article's kernel turned: vertical edges", [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], 'abs-max'),
  ...gradientPresets(),
  {
    name: 'kirsch', description: 'Kirsch compass: max response of the 8 directions, or one direction', params: [
      { name: 'direction', default: -1, min: -1, max: 7, integer: true, doc: '-1 = max over all 8; 0..7 = N, NE, E, SE, S, SW, W, NW' },
    ],
    build: (p) => {
      const d = p.direction!;
      if (d >= 0) return { kernel: { name: `kirsch-${KIRSCH_DIRECTIONS[d]}`, matrix: kirschKernel(d) }, output: 'abs-max' };
      return { kernel: { name: 'kirsch', matrix: kirschKernel(0) }, extraKernels: [1, 2, 3, 4, 5, 6, 7].map(kirschKernel), combine: 'max', output: 'abs-max' };
    },
  },
  fixed('laplacian-4', 'Laplacian, 4-neighbour', [[0, 1, 0], [1, -4, 1], [0, 1, 0]], 'abs-max'),
  fixed('laplacian-8', 'Laplacian, 8-neighbour', [[1, 1, 1], [1, -8, 1], [1, 1, 1]], 'abs-max'),
  {
    name: 'log', description: 'Laplacian of Gaussian (zero sum, negative centre)', params: [sigmaParam(1.4), sizeParam],
    build: (p) => {
      const s = p.sigma!;
      const n = autoSize(s, p.size!);
      const c = (n - 1) / 2;
      const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
        const r2 = (i - c) ** 2 + (j - c) ** 2;
        return ((r2 - 2 * s * s) / s ** 4) * Math.exp(-r2 / (2 * s * s)) / (2 * Math.PI * s * s);
      }));
      // Truncation leaves a small DC term: remove it so flat areas give exactly 0.
      const mean = m.flat().reduce((a, b) => a + b, 0) / (n * n);
      return { kernel: { name: 'log', matrix: m.map((r) => r.map((v) => v - mean)) }, output: 'abs-max' };
    },
  },
  {
    name: 'dog', description: 'difference of Gaussians G(σ1) − G(σ2)', params: [sigmaParam(1, 'sigma1'), sigmaParam(2, 'sigma2'), sizeParam],
    build: (p) => {
      const n = autoSize(Math.max(p.sigma1!, p.sigma2!), p.size!);
      const a = gaussian2d(p.sigma1!, n);
      const b = gaussian2d(p.sigma2!, n);
      return { kernel: { name: 'dog', matrix: a.map((r, i) => r.map((v, j) => v - b[i]![j]!)) }, output: 'abs-max' };
    },
  },
  {
    name: 'gaussian', description: 'Gaussian blur (separable)', params: [sigmaParam(1), separableSizeParam],
    build: (p) => ({ kernel: { name: 'gaussian', matrix: gaussian2d(p.sigma!, autoSize(p.sigma!, p.size!, MAX_SEPARABLE_SIDE)) }, output: 'clamp' }),
  },
  {
    name: 'box', description: 'box blur: n x n mean (separable)', params: [{ name: 'n', default: 3, min: 1, max: MAX_SEPARABLE_SIDE, integer: true, doc: 'side (up to 127: two 1-D passes)' }],
    build: (p) => ({ kernel: { name: 'box', matrix: Array.from({ length: p.n! }, () => new Array<number>(p.n!).fill(1)), divisor: p.n! * p.n! }, output: 'clamp' }),
  },
  fixed('sharpen', 'sharpen (centre 5, 4-neighbours -1)', [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 'clamp'),
  {
    name: 'unsharp', description: 'unsharp mask: image + amount·(image − Gaussian) where |detail| ≥ threshold', params: [
      { name: 'amount', default: 1, min: 0, max: 10, doc: 'strength of the added detail' },
      { name: 'radius', default: 2, min: 0.1, max: 5, doc: 'Gaussian sigma of the blur' },
      { name: 'threshold', default: 0, min: 0, max: 255, doc: 'minimum |detail| in grey levels to sharpen' },
    ],
    build: (p) => {
      const n = autoSize(p.radius!, 0);
      const g = gaussian2d(p.radius!, n);
      const id = identity(n);
      const detail = id.map((r, i) => r.map((v, j) => v - g[i]![j]!));
      return { kernel: { name: 'unsharp', matrix: id }, extraKernels: [detail], combine: 'unsharp', unsharp: { amount: p.amount!, threshold: p.threshold! }, output: 'clamp' };
    },
  },
  fixed('emboss', 'emboss (zero sum, shown around grey 128)', [[-1, -1, 0], [-1, 0, 1], [0, 1, 1]], 'offset'),
  fixed('outline', 'outline (centre 8, neighbours -1)', [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 'clamp'),
  fixed('identity', 'identity (the image unchanged)', identity(3), 'clamp'),
];

/** The preset of that name, or undefined. */
export function findPreset(name: string): KernelPreset | undefined {
  return kernelPresets.find((p) => p.name === name);
}

/** Checks parameter values against a preset and fills defaults; throws a user-facing message. */
export function presetParams(preset: KernelPreset, given: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(given)) {
    if (!preset.params.some((p) => p.name === name)) {
      const known = preset.params.map((p) => p.name).join(', ');
      throw new Error(`kernel “${preset.name}” has no parameter “${name}”${known ? ` (it takes ${known})` : ' (it takes none)'}`);
    }
  }
  for (const p of preset.params) {
    const v = given[p.name] ?? p.default;
    if (!Number.isFinite(v) || v < p.min || v > p.max || (p.integer && !Number.isInteger(v))) {
      throw new Error(`${preset.name}: ${p.name} must be ${p.integer ? 'a whole number' : 'a number'} from ${p.min} to ${p.max}; got ${v}`);
    }
    out[p.name] = v;
  }
  return out;
}

/** The filter options a preset sets (kernel(s), combine, suggested output) for given parameters. */
export function presetOptions(name: string, given: Record<string, number> = {}): Partial<FilterOptions> & { kernel: Kernel; output: OutputMode } {
  const preset = findPreset(name);
  if (!preset) throw new Error(`unknown kernel “${name}” (known: ${kernelPresets.map((p) => p.name).join(', ')})`);
  const r = preset.build(presetParams(preset, given));
  return { combine: 'none', ...r };
}
