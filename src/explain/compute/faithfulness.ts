/**
 * Faithfulness of a saliency map: does the network's confidence in the class actually depend on
 * the pixels the map marks? For k = 10…90 % the most salient k % of the network's view is removed
 * (infilled from the pixels left, see `infill`) or kept alone (everything else infilled), and the
 * class probability is read on each picture. In the spirit of pytorch-grad-cam's ROAD metrics
 * (MoRF = `remove`, LeRF = `keep`, since keeping the top k % is removing the least relevant 100−k %).
 *
 * The single number, `score`, is the mean over k of keep(k) − remove(k), in probability units
 * (−1…1): the area between the two curves over the k range, divided by its width. Above 0 the
 * network depends on what the map marks, 0 is what a random map gets, below 0 the map points away
 * from the evidence. Over the symmetric k = 10…90 grid it is twice pytorch-grad-cam's ROADCombined
 * (whose imputation is a noisy linear one; here it is a normalised blur). Pure; runs in the worker
 * and the Node CLI.
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted, type JobContext } from '../../core/job';
import type { PlainNet } from '../../core/net/plain-net';
import type { RgbaImage } from '../../core/image';
import { resampleCv2 } from '../../core/resample';
import type { FitMode } from './explain-options';
import { planViews, viewPixels } from './views';

/** Options of `faithfulness`. */
export interface FaithfulnessOptions {
  /** Fractions of the view removed or kept (0 < k < 1), ascending. */
  fractions: number[];
  /** Pictures per forward pass (Cancel and progress between passes). */
  batch: number;
  /** How the photo meets the network ('tiles' is scored on the whole photo resized, like classify). */
  fit: FitMode;
}

/** Defaults: k = 10, 20, …, 90 %, eight pictures a pass, the whole photo resized. */
export const defaultFaithfulnessOptions: FaithfulnessOptions = { fractions: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], batch: 8, fit: 'resize' };

/** Result of `faithfulness`; `keep[i]` and `remove[i]` are class probabilities at `fractions[i]`. */
export interface FaithfulnessResult {
  classIndex: number;
  fractions: number[];
  /** Class probability on the untouched view. */
  base: number;
  /** Probability with only the most salient k % kept (the rest infilled). */
  keep: number[];
  /** Probability with the most salient k % removed (infilled). */
  remove: number[];
  /** Mean of keep − remove over the fractions (see the module comment). */
  score: number;
}

/** A cheap integer hash: ties in the map are broken in a scattered, repeatable order, not top-left first. */
function scatter(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** rank[i] = position of pixel i when sorted by saliency, highest first (ties scattered). */
export function saliencyRanks(map: Float32Array): Uint32Array {
  const order = Array.from({ length: map.length }, (_, i) => i);
  const tie = Uint32Array.from(order, scatter);
  order.sort((a, b) => map[b]! - map[a]! || tie[a]! - tie[b]!);
  const rank = new Uint32Array(map.length);
  order.forEach((p, r) => (rank[p] = r));
  return rank;
}

/** In-place running-sum box blur of `ch` interleaved channels along rows (dx=1) or columns, edge pixels not repeated. */
function boxPass(v: Float32Array, w: number, h: number, ch: number, r: number, horizontal: boolean): void {
  const len = horizontal ? w : h;
  const lines = horizontal ? h : w;
  const step = (horizontal ? 1 : w) * ch;
  const line = new Float32Array(len);
  for (let l = 0; l < lines; l++) {
    const base = (horizontal ? l * w : l) * ch;
    for (let c = 0; c < ch; c++) {
      for (let i = 0; i < len; i++) line[i] = v[base + i * step + c]!;
      let acc = 0;
      for (let i = 0; i < Math.min(r, len); i++) acc += line[i]!;
      for (let i = 0; i < len; i++) {
        if (i + r < len) acc += line[i + r]!;
        if (i - r - 1 >= 0) acc -= line[i - r - 1]!;
        v[base + i * step + c] = acc;
      }
    }
  }
}

/**
 * Fills the pixels where `known` is 0 from the known ones: a normalised blur (blur(rgb·known) /
 * blur(known), two box passes of radius r each way), and where no known pixel is that near, their
 * mean. Known pixels are left as they are. `rgb` is size×size×3 in 0..255.
 */
export function infill(rgb: Float32Array, known: Uint8Array, size: number, r = Math.max(2, Math.round(size / 16))): Float32Array {
  const n = size * size;
  const acc = new Float32Array(n * 4);
  const mean = [0, 0, 0];
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!known[i]) continue;
    for (let c = 0; c < 3; c++) {
      acc[i * 4 + c] = rgb[i * 3 + c]!;
      mean[c]! += rgb[i * 3 + c]!;
    }
    acc[i * 4 + 3] = 1;
    count++;
  }
  for (let pass = 0; pass < 2; pass++) for (const horizontal of [true, false]) boxPass(acc, size, size, 4, r, horizontal);
  const out = Float32Array.from(rgb);
  // A weight below this is a far blend of a handful of pixels: the known pixels' mean is steadier.
  const minWeight = 0.05 * (2 * r + 1) ** 4;
  for (let i = 0; i < n; i++) {
    if (known[i]) continue;
    const wgt = acc[i * 4 + 3]!;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = wgt >= minWeight ? acc[i * 4 + c]! / wgt : count ? mean[c]! / count : 128;
  }
  return out;
}

/** The picture of step `j`: 0 = untouched, 1..m = remove fractions[j-1], m+1..2m = keep fractions[j-m-1]. */
function stepPicture(rgb: Float32Array, rank: Uint32Array, fractions: number[], j: number): Float32Array {
  if (j === 0) return rgb;
  const m = fractions.length;
  const keepMode = j > m;
  const top = Math.round(fractions[(keepMode ? j - m : j) - 1]! * rank.length);
  const known = new Uint8Array(rank.length);
  for (let i = 0; i < rank.length; i++) known[i] = rank[i]! < top === keepMode ? 1 : 0;
  return infill(rgb, known, Math.round(Math.sqrt(rank.length)));
}

/** Class probabilities of pictures [from, to) in one forward pass. */
async function probsOf(net: PlainNet, pictures: Float32Array[], size: number, classIndex: number): Promise<Float32Array> {
  const p = tf.tidy(() => {
    const x = tf.concat(pictures.map((rgb) => net.fromRgbFloat(rgb, size, size))) as tf.Tensor4D;
    const [probs] = net.forward(x, ['probs']);
    return tf.gather(probs!, [classIndex], 1);
  });
  try {
    return Float32Array.from(await p.data());
  } finally {
    p.dispose();
  }
}

/**
 * Scores a saliency map (photo-sized, any scale: only its order matters) for `classIndex`:
 * 1 + 2·fractions.length pictures, forwarded `batch` at a time, Cancel and progress between passes.
 */
export async function faithfulness(
  net: PlainNet,
  photo: RgbaImage,
  map: Float32Array,
  classIndex: number,
  opts: Partial<FaithfulnessOptions> = {},
  ctx?: JobContext,
): Promise<FaithfulnessResult> {
  const o = { ...defaultFaithfulnessOptions, ...opts };
  if (map.length !== photo.width * photo.height) throw new Error('faithfulness: the map and the photo sizes differ');
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= net.numClasses) throw new Error(`class ${classIndex} is outside 0..${net.numClasses - 1}`);
  if (!o.fractions.length || o.fractions.some((k) => !(k > 0 && k < 1))) throw new Error('faithfulness: fractions must lie strictly between 0 and 1');
  const size = net.inputSize;
  // An option present as undefined (a spread of a partial) means the default, like an absent one.
  const fit = o.fit === 'center-crop' ? 'center-crop' : 'resize';
  const [view] = planViews(photo.width, photo.height, fit);
  const rgb = viewPixels(photo, view!, size);
  const rank = saliencyRanks(resampleCv2(map, photo.width, photo.height, 1, 1, view!, size, size));
  const total = 1 + 2 * o.fractions.length;
  const probs = new Float32Array(total);
  const batch = Math.max(1, Math.floor(o.batch));
  for (let from = 0; from < total; from += batch) {
    throwIfAborted(ctx?.signal);
    const to = Math.min(total, from + batch);
    const pictures = Array.from({ length: to - from }, (_, i) => stepPicture(rgb, rank, o.fractions, from + i));
    probs.set(await probsOf(net, pictures, size, classIndex), from);
    ctx?.onProgress?.({ fraction: to / total, label: `Faithfulness ${to}/${total}` });
  }
  const m = o.fractions.length;
  const remove = Array.from(probs.subarray(1, 1 + m));
  const keep = Array.from(probs.subarray(1 + m));
  const score = keep.reduce((s, k, i) => s + k - remove[i]!, 0) / m;
  return { classIndex, fractions: [...o.fractions], base: probs[0]!, keep, remove, score };
}
