/** The whole training run for the CLI and tests: data folder → features → head → one saved LayersModel folder. */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { RgbaImage } from '../core/image';
import { throwIfAborted, type JobContext } from '../core/job';
import { buildPlainNet, loadLayersModel } from '../core/net/plain-net';
import { readImageFile } from '../cli/image-files';
import { memoryHandler, readModelDir, type ModelFiles } from '../cli/model-files';
import { noAugment, planViews, renderView, type AugmentOptions } from './compute/augment';
import { confusionMatrix, matrixAccuracy, type ConfusionMatrix } from './compute/confusion';
import { extractFeatures, type FeatureTable } from './compute/features';
import { defaultHeadOptions, predictRows, trainHead, type EpochStats, type HeadOptions, type TrainedHead } from './compute/head';
import { stratifiedSplit } from './compute/split';
import { buildTrainedModel, headLayerNames, modelFolderFiles, type ModelFolderFiles } from './compute/teach-model';
import { checkOutFolder, PROVENANCE_FILE, writeFolderAtomic } from './model-folder';
import { checkClassCounts, readDataFolder, type DataSet } from './teach-data';

/** Options of a training run. */
export interface TrainRunOptions {
  data: string;
  out: string;
  /** Base model folder. */
  model: string;
  /** Feature layer ('auto' = the last convolutional activation). */
  layer: string;
  valFraction: number;
  augment: AugmentOptions;
  head: HeadOptions;
  featureBatch: number;
}

/** Defaults besides data, out and model. */
export const defaultTrainRun = { layer: 'auto', valFraction: 0.2, augment: noAugment, head: defaultHeadOptions, featureBatch: 8 };

/** What a run did: the numbers the CLI prints and the provenance file keeps. */
export interface TrainRunReport {
  classes: string[];
  trainPhotos: number;
  valPhotos: number;
  skipped: string[];
  layer: string;
  history: EpochStats[];
  bestEpoch: number;
  stoppedEarly: boolean;
  trainAccuracy: number;
  /** NaN without a validation set. */
  valAccuracy: number;
  /** On the validation photos (the training ones without a validation set). */
  confusion: ConfusionMatrix;
  modelSha256: string;
  featureSeconds: number;
  viewsPerSecond: number;
  headSeconds: number;
}

/** Hooks of a run: progress and Cancel, plus a line per epoch and per note (skipped photo, …). */
export type TrainRunContext = JobContext & { onEpoch?: (e: EpochStats) => void; onLine?: (line: string) => void };

/** The views to compute: every photo gets `augment.views` (view 0 = the whole photo); a one-photo decode cache. */
function viewSource(ds: DataSet, augment: AugmentOptions, size: number, skipped: string[], ctx: TrainRunContext) {
  const per = Math.max(1, augment.views);
  let cached: { index: number; photo: RgbaImage | null } = { index: -1, photo: null };
  return {
    count: ds.photos.length * per,
    size,
    view: async (i: number): Promise<Float32Array | null> => {
      const p = Math.floor(i / per);
      if (cached.index !== p) {
        const path = ds.photos[p]!.path;
        cached = { index: p, photo: await readImageFile(path).catch((e: unknown) => {
          const line = `skipped: ${path} (${e instanceof Error ? e.message : String(e)})`;
          skipped.push(line);
          ctx.onLine?.(line);
          return null;
        }) };
      }
      const photo = cached.photo;
      if (!photo) return null;
      return renderView(photo, planViews(photo.width, photo.height, augment, 1000 + p)[i % per]!, size);
    },
  };
}

/** Training and validation rows of the feature table: all views of training photos, view 0 of validation ones. */
function rowsOf(ds: DataSet, usable: number[], valFraction: number, per: number, seed: number) {
  const labels = usable.map((p) => ds.photos[p]!.classIndex);
  const split = stratifiedSplit(labels, ds.classes.length, valFraction, seed);
  const train = { rows: [] as number[], labels: [] as number[] };
  for (const k of split.train) {
    for (let v = 0; v < per; v++) {
      train.rows.push(usable[k]! * per + v);
      train.labels.push(labels[k]!);
    }
  }
  const val = { rows: split.val.map((k) => usable[k]! * per), labels: split.val.map((k) => labels[k]!) };
  return { train, val, trainPhotos: split.train.length };
}

/** Frees the head layers of a trained model; the base's layers are the base's to free. */
function disposeHead(model: { layers: { name: string; dispose(): unknown }[] }): void {
  const own = new Set<string>(Object.values(headLayerNames));
  for (const l of model.layers) if (own.has(l.name)) l.dispose();
}

/** Features of every view with the plain-op rebuild of `base` (freed after); photos that did not decode are left out. */
async function featureStage(base: tf.LayersModel, files: ModelFiles, ds: DataSet, o: TrainRunOptions, ctx: TrainRunContext) {
  const size = typeof base.inputs[0]!.shape[1] === 'number' ? base.inputs[0]!.shape[1] : 224;
  const net = buildPlainNet(base, { inputSize: size, labels: files.labels, id: files.sha256.slice(0, 16) });
  const layer = o.layer === 'auto' ? net.lastConvLayer : o.layer;
  const skipped: string[] = [];
  const per = Math.max(1, o.augment.views);
  const t0 = Date.now();
  let table: FeatureTable;
  try {
    table = await extractFeatures(net, layer, viewSource(ds, o.augment, size, skipped, ctx), o.featureBatch, { signal: ctx.signal, onProgress: ctx.onProgress });
  } finally {
    net.dispose();
  }
  const seconds = (Date.now() - t0) / 1000;
  const missing = new Set(table.missing.map((r) => Math.floor(r / per)));
  const usable = ds.photos.map((_, p) => p).filter((p) => !missing.has(p));
  checkClassCounts(ds.classes, ds.classes.map((_, c) => usable.filter((p) => ds.photos[p]!.classIndex === c).length), 'photo');
  return { size, layer, skipped, per, table, seconds, usable };
}

/** The model folder's files: the LayersModel (base up to `layer` + head), labels.json and the provenance file. */
async function folderFiles(base: tf.LayersModel, layer: string, head: TrainedHead, dropout: number, provenance: Record<string, unknown>) {
  const model = buildTrainedModel(base, layer, head, dropout);
  let folder: ModelFolderFiles;
  try {
    folder = await modelFolderFiles(model, 'onirique train');
  } finally {
    disposeHead(model);
  }
  const modelSha256 = createHash('sha256').update(folder.modelJson).digest('hex');
  const enc = (s: string) => new TextEncoder().encode(s);
  const classes = provenance.classes;
  const files = [
    ...folder.shards,
    { name: 'labels.json', bytes: enc(JSON.stringify(classes, null, 1)) },
    { name: PROVENANCE_FILE, bytes: enc(JSON.stringify({ ...provenance, modelJsonSha256: modelSha256 }, null, 2)) },
    // model.json last: a folder with it is complete even to a reader that ignores the rename.
    { name: 'model.json', bytes: enc(folder.modelJson) },
  ];
  return { files, modelSha256 };
}

/** Runs the training and writes the model folder (nothing is written when it fails or is cancelled). */
export async function runTraining(o: TrainRunOptions, ctx: TrainRunContext = {}): Promise<TrainRunReport> {
  await checkOutFolder(o.out);
  const ds = await readDataFolder(o.data);
  for (const n of ds.notes) ctx.onLine?.(n);
  const files = await readModelDir(o.model);
  const base = await loadLayersModel(memoryHandler(files));
  try {
    const f = await featureStage(base, files, ds, o, ctx);
    const { train, val, trainPhotos } = rowsOf(ds, f.usable, o.valFraction, f.per, o.head.seed);
    const t1 = Date.now();
    const head = await trainHead(f.table, train, val, ds.classes.length, o.head, ctx);
    const headSeconds = (Date.now() - t1) / 1000;
    throwIfAborted(ctx.signal);
    const evalSet = val.rows.length ? val : train;
    const confusion = confusionMatrix(evalSet.labels, predictRows(head, f.table, evalSet.rows), ds.classes.length);
    const trainAccuracy = matrixAccuracy(confusionMatrix(train.labels, predictRows(head, f.table, train.rows), ds.classes.length));
    const valAccuracy = val.rows.length ? matrixAccuracy(confusion) : NaN;
    const provenance = {
      format: 'onirique-teach/1', createdAt: new Date().toISOString(), classes: ds.classes, layer: f.layer, inputSize: f.size, range: '-1..1', fit: 'resize',
      base: { id: basename(files.dir), sha256: files.sha256 }, data: { folder: ds.dir, trainPhotos, valPhotos: val.rows.length, skipped: f.skipped.length },
      training: { ...o.head, valFraction: o.valFraction, augment: o.augment, epochsRun: head.history.length, bestEpoch: head.bestEpoch, stoppedEarly: head.stoppedEarly },
      trainAccuracy, valAccuracy: Number.isNaN(valAccuracy) ? null : valAccuracy, confusion,
    };
    const out = await folderFiles(base, f.layer, head, o.head.dropout, provenance);
    await writeFolderAtomic(o.out, out.files, ctx.signal);
    return {
      classes: ds.classes, trainPhotos, valPhotos: val.rows.length, skipped: f.skipped, layer: f.layer, history: head.history, bestEpoch: head.bestEpoch, stoppedEarly: head.stoppedEarly,
      trainAccuracy, valAccuracy, confusion, modelSha256: out.modelSha256, featureSeconds: f.seconds, viewsPerSecond: f.table.rows / Math.max(1e-3, f.seconds), headSeconds,
    };
  } finally {
    base.dispose();
  }
}
