/** Options of the convolution filter, with their defaults beside them. */

/** A kernel in the kernel-file format shared by the editor, settings and the CLI. */
export interface Kernel {
  name?: string;
  /** Rows of weights, all the same length, 1..31 each way. */
  matrix: number[][];
  /** Result is divided by this (GIMP-style); default 1. */
  divisor?: number;
  /** Added after division, in 8-bit grey levels; default 0. */
  offset?: number;
}

/** How colour channels meet the kernel. */
export type ChannelMode = 'luma' | 'rgb' | 'sum';
/**
 * How pixels beyond the border are made up. zero = scipy 'fill'/ndimage 'constant';
 * replicate = ndimage 'nearest'; reflect = OpenCV REFLECT_101 (dcb|abcd|cba) = ndimage 'mirror';
 * symmetric = OpenCV REFLECT (cba|abc|cba) = scipy.signal 'symm' = ndimage 'reflect'; wrap = periodic.
 */
export type BorderMode = 'zero' | 'replicate' | 'reflect' | 'symmetric' | 'wrap';
/** Output size: same as input, or only fully covered positions. */
export type SizeMode = 'same' | 'valid';
/** How signed results become displayable 8-bit values. */
export type OutputMode = 'clamp' | 'abs' | 'abs-max' | 'offset';
/**
 * How several kernels' responses become one: none (first kernel only), magnitude sqrt(a²+b²) of a
 * gradient pair, direction (hue = atan2(b, a), brightness = magnitude), max over a compass set,
 * unsharp (kernels = [identity, detail]; detail added × amount where |detail| ≥ threshold).
 */
export type CombineMode = 'none' | 'magnitude' | 'direction' | 'max' | 'unsharp';
/** Whether rank-1 kernels run as two 1-D passes. */
export type SeparableMode = 'auto' | 'always' | 'never';

/** Everything a filter run needs besides the image. */
export interface FilterOptions {
  kernel: Kernel;
  /** More kernels of the same size as `kernel`, combined with it by `combine` (e.g. Sobel y). */
  extraKernels?: number[][][];
  combine: CombineMode;
  /** With combine 'unsharp': strength of the detail and the minimum |detail| (grey levels) to sharpen. */
  unsharp?: { amount: number; threshold: number };
  /** luma: PIL 'L' grey; rgb: each channel alone; sum: the article's multi-channel convolution. */
  channels: ChannelMode;
  /** With channels 'rgb': which of R, G, B are filtered (others pass through). */
  channelMask: [boolean, boolean, boolean];
  /** With channels 'sum': one kernel per input channel (R, G, B); defaults to `kernel` for each. */
  channelKernels?: [number[][], number[][], number[][]];
  border: BorderMode;
  mode: SizeMode;
  stride: number;
  dilation: number;
  /** True convolution (kernel rotated 180°, as scipy convolve2d); default is correlation. */
  flip: boolean;
  output: OutputMode;
  /**
   * GIMP "Normalise": divisor and offset from the kernel sum, replacing the kernel's own:
   * sum > 0 → ÷sum; sum < 0 → ÷-sum and +255 (GEGL's offset 1.0, full scale); sum = 0 → +128.
   */
  normalise: boolean;
  /**
   * With output 'abs-max': the largest |value| (after divisor and offset), mapped to 255. Unset, the
   * response's own; a preview of a crop passes the whole image's, so it is as bright as Apply.
   */
  absMax?: number;
  separable: SeparableMode;
  /** Largest tile side in input pixels (halo included); 0 = automatic (≤ 4096, under WebGL's 8192). */
  tileSize: number;
  /**
   * Engine layout: 'blocks' (wasm: the image's free [H, W/B, B] view, filter-block.ts), 'strips'
   * (the older layout, filter-plan.ts), 'direct' (typed-array loops, filter-direct.ts) or 'simd'
   * (the direct plan on the WebAssembly SIMD kernel, filter-simd.ts); auto = simd on tfjs-cpu and,
   * where it wins (useSimd in filter-plan.ts), on wasm, if WebAssembly SIMD exists; else direct on
   * tfjs-cpu, else the cheaper of blocks and strips. For tests and benchmarks.
   */
  layout?: 'auto' | 'blocks' | 'strips' | 'direct' | 'simd';
}

/** The article's horizontal-edge kernel. */
export const articleKernel: Kernel = {
  name: 'edges-horizontal',
  matrix: [
    [-1, -1, -1],
    [0, 0, 0],
    [1, 1, 1],
  ],
};

/**
 * Defaults: the article's display of its edge kernel. Correlation (flip false) is the default as
 * in CNNs and OpenCV; for the article kernel true convolution only negates the response, so
 * |response| scaled to its max equals the article's np.abs(convolve2d(L, k, 'same')) either way.
 */
export const defaultFilterOptions: FilterOptions = {
  kernel: articleKernel,
  combine: 'none',
  channels: 'luma',
  channelMask: [true, true, true],
  border: 'zero',
  mode: 'same',
  stride: 1,
  dilation: 1,
  flip: false,
  output: 'abs-max',
  normalise: false,
  separable: 'auto',
  tileSize: 0,
};
