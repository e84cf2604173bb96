/** Kernel checks, the kernel-file format, rank-1 separation and GIMP-style normalisation. */
import type { Kernel } from './filter-options';

/** Largest side of a dense kernel accepted anywhere (editor, files, CLI). */
export const MAX_KERNEL_SIDE = 31;

/**
 * Largest side of a separable (rank-1) kernel: it always runs as two 1-D passes, so 127 taps cost
 * 254 multiply-adds a pixel where a dense 127x127 would cost 16,129 (a σ=10 Gaussian needs 61).
 */
export const MAX_SEPARABLE_SIDE = 127;

/** Checks a matrix and returns a message for the user when it cannot be used as a kernel. */
export function validateMatrix(m: unknown, what = 'The kernel'): string | null {
  if (!Array.isArray(m) || m.length === 0) return `${what} is empty: "matrix" needs at least one row.`;
  if (!Array.isArray(m[0])) return `${what} must be a list of rows (a list of lists of numbers).`;
  const w = (m[0] as unknown[]).length;
  if (w === 0) return `${what} is empty: its first row has no values.`;
  for (let i = 0; i < m.length; i++) {
    const row: unknown = m[i];
    if (!Array.isArray(row)) return `${what}: row ${i + 1} is not a list of numbers.`;
    if (row.length !== w) return `${what} is not rectangular: row ${i + 1} has ${row.length} values, row 1 has ${w}.`;
  }
  if (m.length > MAX_SEPARABLE_SIDE || w > MAX_SEPARABLE_SIDE) {
    return `${what} is ${w}x${m.length} (width x height); the largest allowed is ${MAX_SEPARABLE_SIDE}x${MAX_SEPARABLE_SIDE} (separable) or ${MAX_KERNEL_SIDE}x${MAX_KERNEL_SIDE}.`;
  }
  for (let i = 0; i < m.length; i++) {
    const row = m[i] as unknown[];
    for (let j = 0; j < w; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return `${what}: the value at row ${i + 1}, column ${j + 1} (${JSON.stringify(v) ?? String(v)}) is not a finite number.`;
      }
    }
  }
  // Every value is a finite number by now (checked cell by cell above).
  if (isLongKernel(m as number[][]) && !separateKernel(m as number[][])) {
    return `${what} is ${w}x${m.length} (width x height) and not separable (rank 1): the largest allowed is ${MAX_KERNEL_SIDE}x${MAX_KERNEL_SIDE} (separable ones, two 1-D passes, up to ${MAX_SEPARABLE_SIDE}).`;
  }
  return null;
}

/** Whether a kernel is longer than the dense limit either way (then it must be, and runs as, two 1-D passes). */
export function isLongKernel(m: number[][]): boolean {
  return m.length > MAX_KERNEL_SIDE || (m[0]?.length ?? 0) > MAX_KERNEL_SIDE;
}

/** Checks a kernel and returns a message for the user when it cannot be used. */
export function validateKernel(kernel: Kernel): string | null {
  const problem = validateMatrix(kernel.matrix);
  if (problem) return problem;
  const d = kernel.divisor ?? 1;
  if (typeof d !== 'number' || !Number.isFinite(d) || d === 0) return 'The kernel divisor must be a non-zero number.';
  const o = kernel.offset ?? 0;
  if (typeof o !== 'number' || !Number.isFinite(o)) return 'The kernel offset must be a finite number.';
  return null;
}

/** Parses the kernel-file JSON `{"name","matrix","divisor"?,"offset"?}`; throws with a clear message. */
export function parseKernelFile(text: string, source = 'kernel file'): Kernel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`${source}: expected an object like {"name": "...", "matrix": [[...], ...]}.`);
  }
  const obj = raw as Record<string, unknown>;
  if (!('matrix' in obj)) throw new Error(`${source}: the "matrix" field is missing.`);
  const problem = validateMatrix(obj.matrix, `${source}: the kernel`);
  if (problem) throw new Error(problem);
  const kernel: Kernel = { matrix: (obj.matrix as number[][]).map((r) => r.slice()) };
  if (obj.name !== undefined) {
    if (typeof obj.name !== 'string') throw new Error(`${source}: "name" must be a string.`);
    kernel.name = obj.name;
  }
  for (const key of ['divisor', 'offset'] as const) {
    const v = obj[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: "${key}" must be a finite number.`);
    if (key === 'divisor' && v === 0) throw new Error(`${source}: "divisor" must not be 0.`);
    kernel[key] = v;
  }
  return kernel;
}

/** Serialises a kernel in the kernel-file format (one row per line, as people edit it). */
export function kernelFileText(kernel: Kernel): string {
  const rows = kernel.matrix.map((r) => `    [${r.join(', ')}]`).join(',\n');
  const extra = [
    kernel.divisor !== undefined ? `  "divisor": ${kernel.divisor}` : null,
    kernel.offset !== undefined ? `  "offset": ${kernel.offset}` : null,
  ].filter((x): x is string => x !== null);
  return `{\n  "name": ${JSON.stringify(kernel.name ?? 'kernel')},\n  "matrix": [\n${rows}\n  ]${extra.length ? ',\n' + extra.join(',\n') : ''}\n}\n`;
}

/** Sum of all weights. */
export function kernelSum(m: number[][]): number {
  let s = 0;
  for (const row of m) for (const v of row) s += v;
  return s;
}

/** Divisor and offset (grey levels) that GIMP's "Normalise" derives from the kernel sum. */
export function gimpNormalisation(m: number[][]): { divisor: number; offset: number } {
  const sum = kernelSum(m);
  const eps = 1e-9 * Math.max(1, ...m.flat().map(Math.abs));
  if (sum > eps) return { divisor: sum, offset: 0 };
  if (sum < -eps) return { divisor: -sum, offset: 255 };
  return { divisor: 1, offset: 128 };
}

/** The kernel rotated 180°: correlating with it is true convolution with the original. */
export function rotate180(m: number[][]): number[][] {
  return m
    .slice()
    .reverse()
    .map((r) => r.slice().reverse());
}

/** A rank-1 kernel as column ⊗ row, so `m[i][j] = col[i] * row[j]`. */
export interface SeparatedKernel {
  col: number[];
  row: number[];
}

/**
 * Splits a rank-1 kernel into a column and a row, or returns null when it has rank > 1.
 * A rank-1 matrix is exactly its pivot column times its pivot row over the pivot, so this is the
 * SVD's rank test without its rounding: integer kernels (Sobel, box) split into integer factors.
 */
export function separateKernel(m: number[][], relTol = 1e-6): SeparatedKernel | null {
  let pi = 0;
  let pj = 0;
  let best = 0;
  for (let i = 0; i < m.length; i++) {
    for (let j = 0; j < m[i]!.length; j++) {
      const a = Math.abs(m[i]![j]!);
      if (a > best) [best, pi, pj] = [a, i, j];
    }
  }
  if (best === 0) return null;
  const pivot = m[pi]![pj]!;
  const col = m.map((r) => r[pj]!);
  const row = m[pi]!.map((v) => v / pivot);
  for (let i = 0; i < m.length; i++) {
    for (let j = 0; j < row.length; j++) {
      if (Math.abs(col[i]! * row[j]! - m[i]![j]!) > relTol * best) return null;
    }
  }
  return { col, row };
}

/** What the editor shows beside a kernel: its sum, whether it is separable, whether it sums to zero. */
export function kernelInfo(m: number[][]): { sum: number; separable: boolean; zeroSum: boolean } {
  const sum = kernelSum(m);
  const scale = Math.max(1e-30, ...m.flat().map(Math.abs));
  return { sum, separable: separateKernel(m) !== null, zeroSum: Math.abs(sum) <= 1e-9 * scale };
}
