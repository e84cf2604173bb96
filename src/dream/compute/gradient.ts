/** One gradient-ascent step over a (possibly huge) octave image, tile by tile. */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '../../core/job';
import { anyCovered, extractRolled, mod, type TileBox, tileRanges, writeRolled } from './tiles';

/** Where this step's roll and tile grid fall (drawn from the seeded PRNG by the caller). */
export interface StepPlan {
  dy: number;
  dx: number;
  oy: number;
  ox: number;
}

/** Octave image state shared by the step functions: 3 interleaved floats per pixel. */
export interface OctaveImage {
  data: Float32Array;
  width: number;
  height: number;
  /** 1 where the dream mask reaches at this octave; null means everywhere. */
  cover: Uint8Array | null;
}

/** Tiling parameters. */
export interface TileParams {
  tile: number;
  overlap: number;
  /**
   * Regions start on multiples of this and end where the image does modulo it (the network's
   * total stride), so every strided layer samples the same lattice with the same 'same' padding
   * as on the whole image; otherwise tile gradients differ from whole-image ones at any overlap.
   */
  align: number;
}

/** Smallest end >= t that is congruent to n modulo `align` (and at most n). */
function alignedEnd(t: number, n: number, align: number): number {
  return Math.min(n, t + mod(n - t, align));
}

/** Core (written) and region (seen by the network, core plus overlap) of each tile this step. */
export function planTiles(w: number, h: number, p: TileParams, oy: number, ox: number): { core: TileBox; region: TileBox }[] {
  const rows = tileRanges(h, p.tile, oy);
  const cols = tileRanges(w, p.tile, ox);
  const a = Math.max(1, p.align);
  const out: { core: TileBox; region: TileBox }[] = [];
  for (const [y0, y1] of rows) {
    for (const [x0, x1] of cols) {
      const core = { y0, y1, x0, x1 };
      const region = {
        y0: Math.floor(Math.max(0, y0 - p.overlap) / a) * a,
        y1: alignedEnd(Math.min(h, y1 + p.overlap), h, a),
        x0: Math.floor(Math.max(0, x0 - p.overlap) / a) * a,
        x1: alignedEnd(Math.min(w, x1 + p.overlap), w, a),
      };
      out.push({ core, region });
    }
  }
  return out;
}

/**
 * Fills `grad` (zeroed first) with d objective / d image for the rolled image, tile by tile, and
 * returns how many tiles ran. Tiles with no masked pixel in their core are skipped.
 */
export async function tiledGradient(
  img: OctaveImage,
  gradFn: (x: tf.Tensor4D) => tf.Tensor,
  grad: Float32Array,
  p: TileParams,
  plan: StepPlan,
  signal: AbortSignal | undefined,
  onTile?: (done: number, total: number) => void,
): Promise<number> {
  const { width: w, height: h } = img;
  grad.fill(0);
  const tiles = planTiles(w, h, p, plan.oy, plan.ox).filter((t) => anyCovered(img.cover, w, h, t.core, plan.dy, plan.dx));
  let done = 0;
  for (const { core, region } of tiles) {
    throwIfAborted(signal);
    const x = extractRolled(img.data, w, h, region, plan.dy, plan.dx);
    const g = tf.tidy(() => gradFn(tf.tensor4d(x, [1, region.y1 - region.y0, region.x1 - region.x0, 3])));
    let gd: Float32Array;
    try {
      gd = (await g.data()) as Float32Array;
    } finally {
      g.dispose();
    }
    writeRolled(grad, w, h, gd, region, core, plan.dy, plan.dx);
    onTile?.(++done, tiles.length);
  }
  return tiles.length;
}

/**
 * Scales the gradient to unit std (or unit mean |g|) over the dreamed pixels, then
 * img += step * g, clipped to the network's input range.
 */
export function ascend(img: OctaveImage, grad: Float32Array, step: number, normalize: 'std' | 'mean-abs', lo: number, hi: number): void {
  const { data, cover } = img;
  const n = img.width * img.height;
  let count = 0;
  let sum = 0;
  let sumSq = 0;
  let sumAbs = 0;
  for (let p = 0; p < n; p++) {
    if (cover && !cover[p]) continue;
    for (let c = 0; c < 3; c++) {
      const v = grad[p * 3 + c]!;
      sum += v;
      sumSq += v * v;
      sumAbs += Math.abs(v);
    }
    count += 3;
  }
  if (count === 0) return;
  const mean = sum / count;
  const norm = normalize === 'std' ? Math.sqrt(Math.max(0, sumSq / count - mean * mean)) : sumAbs / count;
  const k = step / (norm + 1e-8);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]! + k * grad[i]!;
    data[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

/** Objective of the whole octave image (no roll, tiles without overlap), for reporting. */
export function measureObjective(img: OctaveImage, objective: (x: tf.Tensor4D) => tf.Scalar, tile: number, align: number): number {
  const { width: w, height: h } = img;
  let total = 0;
  for (const { core } of planTiles(w, h, { tile, overlap: 0, align }, 0, 0)) {
    const x = extractRolled(img.data, w, h, core, 0, 0);
    const v = tf.tidy(() => objective(tf.tensor4d(x, [1, core.y1 - core.y0, core.x1 - core.x0, 3])).dataSync()[0]!);
    total += v;
  }
  return total;
}
