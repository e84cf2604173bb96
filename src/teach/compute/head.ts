/** The classifier head (dropout + dense + softmax) trained with Adam on cached features, with early stop and Cancel. */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted, type JobContext } from '../../core/job';
import type { FeatureTable } from './features';
import { mulberry32, shuffleInPlace } from '../../core/prng';

/** Options of `trainHead`, with defaults in `defaultHeadOptions`. */
export interface HeadOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Dropout rate on the pooled features while training. */
  dropout: number;
  /** Stop when the validation loss has not improved for this many epochs (0 = never stop early). */
  patience: number;
  seed: number;
}

/** Defaults: small, fast, enough for a few classes of a few dozen photos. */
export const defaultHeadOptions: HeadOptions = { epochs: 20, batchSize: 16, learningRate: 1e-3, dropout: 0.2, patience: 5, seed: 1 };

/** Rows of the feature table with their class. */
export interface LabelledRows {
  rows: number[];
  labels: number[];
}

/** One epoch's numbers; validation ones are NaN without a validation set. */
export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  /** Seconds left at this pace (to the last epoch, early stop not foreseen). */
  etaSeconds: number;
}

/** The trained head: dense kernel [dim, classes] and bias, from the best epoch. */
export interface TrainedHead {
  kernel: Float32Array;
  bias: Float32Array;
  dim: number;
  numClasses: number;
  history: EpochStats[];
  bestEpoch: number;
  stoppedEarly: boolean;
}

interface Vars {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/** Mean cross-entropy and accuracy of the head on some rows (no dropout). */
async function evaluate(x: tf.Tensor2D, v: Vars, set: LabelledRows, numClasses: number): Promise<{ loss: number; accuracy: number; predicted: Int32Array }> {
  if (!set.rows.length) return { loss: NaN, accuracy: NaN, predicted: new Int32Array(0) };
  const [loss, pred] = tf.tidy(() => {
    const logits = tf.add(tf.matMul(tf.gather(x, set.rows), v.kernel as tf.Tensor2D), v.bias);
    const y = tf.oneHot(tf.tensor1d(set.labels, 'int32'), numClasses);
    return [tf.losses.softmaxCrossEntropy(y, logits), tf.argMax(logits, 1)];
  });
  const [l, p] = await Promise.all([loss.data(), pred.data()]);
  tf.dispose([loss, pred]);
  const predicted = Int32Array.from(p);
  const right = set.labels.reduce((s, c, i) => s + (predicted[i] === c ? 1 : 0), 0);
  return { loss: l[0]!, accuracy: right / set.labels.length, predicted };
}

/** One pass over the training rows in shuffled batches; returns the mean batch loss. */
async function runEpoch(x: tf.Tensor2D, v: Vars, opt: tf.Optimizer, train: LabelledRows, numClasses: number, o: HeadOptions, rand: () => number, ctx: JobContext): Promise<number> {
  const order = shuffleInPlace(train.rows.map((_, i) => i), rand);
  let sum = 0;
  let batches = 0;
  for (let s = 0; s < order.length; s += o.batchSize) {
    throwIfAborted(ctx.signal);
    const idx = order.slice(s, s + o.batchSize);
    const loss = opt.minimize(() => {
      const feats = tf.gather(x, idx.map((i) => train.rows[i]!));
      const dropped = o.dropout > 0 ? tf.dropout(feats, o.dropout, undefined, Math.floor(rand() * 2 ** 31)) : feats;
      const logits = tf.add(tf.matMul(dropped, v.kernel as tf.Tensor2D), v.bias);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(idx.map((i) => train.labels[i]!), 'int32'), numClasses), logits) as tf.Scalar;
    }, true, [v.kernel, v.bias]);
    sum += (await loss!.data())[0]!;
    loss!.dispose();
    batches++;
    // Let an abort event land between batches (the signal only changes when the event loop turns).
    await new Promise((r) => setTimeout(r, 0));
  }
  return sum / Math.max(1, batches);
}

/**
 * Trains softmax(dropout(features) · kernel + bias) with Adam, on standardised features from a zero
 * start. Keeps the weights of the epoch with the lowest validation loss (the last epoch without
 * validation), folded to apply to the raw features. Every tensor it makes is freed.
 */
export async function trainHead(table: FeatureTable, train: LabelledRows, val: LabelledRows, numClasses: number, opts: Partial<HeadOptions> = {}, ctx: JobContext & { onEpoch?: (e: EpochStats) => void } = {}): Promise<TrainedHead> {
  const o = { ...defaultHeadOptions, ...opts };
  if (!train.rows.length) throw new Error('no training photos');
  const rand = mulberry32(o.seed);
  // The head trains on features standardised over the training rows (zero mean, unit spread per
  // dimension) from a zero kernel: each step then moves every class toward its photos, so a few
  // epochs on a few photos already separate them. A random (Glorot) start on the raw pooled ReLU
  // features turned their large shared mean into a random preference for one class that a few
  // epochs did not outweigh. The saved weights are folded back to apply to the raw features.
  const norm = standardiser(table, train.rows);
  const x = tf.tensor2d(Float32Array.from(table.data, (a, i) => (a - norm.mean[i % table.dim]!) / norm.scale[i % table.dim]!), [table.rows, table.dim]);
  // tf.variable keeps its own copy, so the initial values are freed.
  const init = [tf.zeros([table.dim, numClasses]), tf.zeros([numClasses])];
  const v: Vars = { kernel: tf.variable(init[0]!), bias: tf.variable(init[1]!) };
  tf.dispose(init);
  const opt = tf.train.adam(o.learningRate);
  const history: EpochStats[] = [];
  let best = { loss: Infinity, epoch: 0, kernel: new Float32Array(0), bias: new Float32Array(0) };
  let stoppedEarly = false;
  const started = Date.now();
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const loss = await runEpoch(x, v, opt, train, numClasses, o, rand, ctx);
      const tr = await evaluate(x, v, train, numClasses);
      const va = await evaluate(x, v, val, numClasses);
      const eta = (((Date.now() - started) / epoch) * (o.epochs - epoch)) / 1000;
      const stats: EpochStats = { epoch, loss, accuracy: tr.accuracy, valLoss: va.loss, valAccuracy: va.accuracy, etaSeconds: eta };
      history.push(stats);
      ctx.onEpoch?.(stats);
      ctx.onProgress?.({ fraction: epoch / o.epochs, label: `epoch ${epoch}/${o.epochs}` });
      const score = val.rows.length ? va.loss : -epoch;
      if (score < best.loss) best = { loss: score, epoch, kernel: Float32Array.from(await v.kernel.data()), bias: Float32Array.from(await v.bias.data()) };
      else if (o.patience > 0 && val.rows.length && epoch - best.epoch >= o.patience) {
        stoppedEarly = epoch < o.epochs;
        break;
      }
    }
  } finally {
    opt.dispose();
    tf.dispose([x, v.kernel, v.bias]);
  }
  return { ...foldStandardiser(best.kernel, best.bias, norm, numClasses), dim: table.dim, numClasses, history, bestEpoch: best.epoch, stoppedEarly };
}

/** Per-dimension mean and spread of the training rows (spread floored, so constant dimensions stay finite). */
function standardiser(table: FeatureTable, rows: number[]): { mean: Float32Array; scale: Float32Array } {
  const dim = table.dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (const r of rows) {
    for (let d = 0; d < dim; d++) {
      const a = table.data[r * dim + d]!;
      mean[d]! += a;
      sq[d]! += a * a;
    }
  }
  const n = Math.max(1, rows.length);
  const m = Float32Array.from(mean, (s) => s / n);
  const scale = Float32Array.from(sq, (s, d) => Math.sqrt(Math.max(0, s / n - m[d]! ** 2) + 1e-4));
  return { mean: m, scale };
}

/** Weights on standardised features as weights on raw ones: k' = k / scale, b' = b - sum(mean * k'). */
function foldStandardiser(kernel: Float32Array, bias: Float32Array, norm: { mean: Float32Array; scale: Float32Array }, numClasses: number): { kernel: Float32Array; bias: Float32Array } {
  const k = new Float32Array(kernel.length);
  const b = Float64Array.from(bias);
  for (let d = 0; d < norm.mean.length; d++) {
    for (let c = 0; c < numClasses; c++) {
      const w = kernel[d * numClasses + c]! / norm.scale[d]!;
      k[d * numClasses + c] = w;
      b[c]! -= norm.mean[d]! * w;
    }
  }
  return { kernel: k, bias: Float32Array.from(b) };
}

/** Predicted class of each feature row with a trained head (plain arithmetic, no tensors). */
export function predictRows(head: TrainedHead, table: FeatureTable, rows: number[]): Int32Array {
  const out = new Int32Array(rows.length);
  rows.forEach((r, n) => {
    let bestC = 0;
    let bestV = -Infinity;
    for (let c = 0; c < head.numClasses; c++) {
      let s = head.bias[c]!;
      for (let d = 0; d < head.dim; d++) s += table.data[r * head.dim + d]! * head.kernel[d * head.numClasses + c]!;
      if (s > bestV) [bestV, bestC] = [s, c];
    }
    out[n] = bestC;
  });
  return out;
}
