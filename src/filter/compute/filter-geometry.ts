/** Output geometry, borders and tiling of a convolution: pure index arithmetic, no tfjs. */
import type { BorderMode, SizeMode } from './filter-options';

/** Maps a coordinate outside [0, n) to the source index for a border mode; -1 means zero. */
export function borderIndex(i: number, n: number, mode: BorderMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'zero':
      return -1;
    case 'replicate':
      return i < 0 ? 0 : n - 1;
    case 'wrap':
      return ((i % n) + n) % n;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const j = ((i % period) + period) % period;
      return j < n ? j : period - j;
    }
    case 'symmetric': {
      const period = 2 * n;
      const j = ((i % period) + period) % period;
      return j < n ? j : period - 1 - j;
    }
  }
}

/** Where the output grid sits on the input, for one kernel size and the geometry options. */
export interface Geometry {
  /** Kernel extent after dilation. */
  eh: number;
  ew: number;
  /** Padding before row/column 0 (same mode centres the kernel at floor(extent/2)). */
  top: number;
  left: number;
  /** Output size after stride. */
  height: number;
  width: number;
  stride: number;
  dilation: number;
  /** 'valid' mode: output pixel 0 sits under the kernel's centre, not on input pixel 0. */
  valid: boolean;
}

/** Computes the output geometry, or throws a user-facing message when it is empty. */
export function filterGeometry(
  h: number, w: number, kh: number, kw: number,
  opts: { mode: SizeMode; stride: number; dilation: number },
): Geometry {
  const { stride: s, dilation: d } = opts;
  if (!(Number.isInteger(s) && s >= 1)) throw new Error('Stride must be a whole number ≥ 1.');
  if (!(Number.isInteger(d) && d >= 1)) throw new Error('Dilation must be a whole number ≥ 1.');
  const eh = (kh - 1) * d + 1;
  const ew = (kw - 1) * d + 1;
  const same = opts.mode === 'same';
  const h1 = same ? h : h - eh + 1;
  const w1 = same ? w : w - ew + 1;
  if (h1 < 1 || w1 < 1) {
    throw new Error(`The image (${w}x${h}) is smaller than the dilated kernel (${ew}x${eh}), so 'valid' mode leaves nothing.`);
  }
  return {
    eh, ew,
    top: same ? Math.floor(eh / 2) : 0,
    left: same ? Math.floor(ew / 2) : 0,
    height: Math.ceil(h1 / s),
    width: Math.ceil(w1 / s),
    stride: s,
    dilation: d,
    valid: !same,
  };
}

/** Source pixel an output pixel is anchored on (kernel centre), for alpha and pass-through channels. */
export function anchorOf(g: Geometry, oy: number, ox: number): [number, number] {
  const ay = g.valid ? Math.floor(g.eh / 2) : 0;
  const ax = g.valid ? Math.floor(g.ew / 2) : 0;
  return [oy * g.stride + ay, ox * g.stride + ax];
}

/** A rectangle of output pixels processed in one tfjs call. */
export interface Tile {
  oy: number;
  ox: number;
  rows: number;
  cols: number;
}

/** Largest tile side (input pixels, halo included) when the caller leaves it automatic. */
export const DEFAULT_TILE_SIDE = 4096;
/** Largest tensor the tiler builds, in floats (64 MB), well under WebGL's 8192² textures. */
export const TILE_BUDGET = 16 * 1024 * 1024;

/**
 * Cuts the output into tiles whose input (output footprint plus the kernel's halo) is at most
 * `side` pixels each way and whose tensor of `channels` channels stays within `budget` floats.
 */
export function planTiles(g: Geometry, side: number, channels: number, budget = TILE_BUDGET): Tile[] {
  const s = g.stride;
  const sideOk = Math.max(side, Math.max(g.eh, g.ew) + 1);
  const cols = Math.max(1, Math.min(g.width, Math.floor((sideOk - g.ew) / s) + 1));
  const inW = (cols - 1) * s + g.ew;
  let rows = Math.max(1, Math.min(g.height, Math.floor((sideOk - g.eh) / s) + 1));
  const maxInRows = Math.floor(budget / Math.max(1, inW * channels));
  rows = Math.max(1, Math.min(rows, Math.floor((maxInRows - g.eh) / s) + 1));
  const tiles: Tile[] = [];
  for (let oy = 0; oy < g.height; oy += rows) {
    for (let ox = 0; ox < g.width; ox += cols) {
      tiles.push({ oy, ox, rows: Math.min(rows, g.height - oy), cols: Math.min(cols, g.width - ox) });
    }
  }
  return tiles;
}
