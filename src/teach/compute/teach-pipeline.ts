/**
 * The training run on photos already in memory (the worker's side of the Teach panel): the same
 * stages as the CLI's teach-run.ts (views → cached features → head → one LayersModel folder), with
 * no file system, so it runs in the compute worker and in Node tests alike.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RgbaImage } from '../../core/image';
import { throwIfAborted, type JobContext } from '../../core/job';
import { buildPlainNet, type InputRange } from '../../core/net/plain-net';
import { planViews, renderView, type AugmentOptions } from './augment';
import { confusionMatrix, matrixAccuracy, type ConfusionMatrix } from './confusion';
import { extractFeatures, type FeatureTable } from './features';
import { defaultHeadOptions, predictRows, trainHead, type EpochStats, type HeadOptions, type TrainedHead } from './head';
import { stratifiedSplit } from './split';
import { buildTrainedModel, headLayerNames, modelFolderFiles } from './teach-model';

/** The provenance file a trained model folder holds (the same name the CLI writes). */
export const TEACH_PROVENANCE_FILE = 'onirique-model.json';

/** The base model a head is trained on. */
export interface TeachBase {
  /** Where model.json is fetched from (the worker loads the LayersModel itself: the cache keeps only plain nets). */
  url: string;
  id: string;
  name: string;
  sha256: string | null;
  range: InputRange;
}

/** What a training run needs besides the base. */
export interface TeachRequest {
  classes: string[];
  /** The photos (any size; views are rendered at the model's input size). */
  photos: RgbaImage[];
  /** Class of each photo. */
  labels: number[];
  /** A stable key per photo: with the layer and the augmentation it says when cached features still hold. */
  photoKeys: string[];
  /** Feature layer, or 'auto' (the last convolutional activation). */
  layer: string;
  valFraction: number;
  augment: AugmentOptions;
  head: Partial<HeadOptions>;
  featureBatch?: number;
}

/** A file of the trained model folder. */
export interface TeachFile {
  name: string;
  bytes: Uint8Array;
}

/** What a run gives back: the numbers, the validation predictions per photo, and the model folder's files. */
export interface TeachOutcome {
  classes: string[];
  layer: string;
  inputSize: number;
  history: EpochStats[];
  bestEpoch: number;
  stoppedEarly: boolean;
  trainAccuracy: number;
  /** null without a validation set. */
  valAccuracy: number | null;
  /** On the validation photos (the training ones without a validation set). */
  confusion: ConfusionMatrix;
  /** Photo indices the matrix counts, with what the head predicted for each. */
  evalPhotos: number[];
  predicted: number[];
  trainPhotos: number;
  valPhotos: number;
  /** True when the features came from the cache (same photos, layer and augmentation as the last run). */
  featuresCached: boolean;
  featureSeconds: number;
  headSeconds: number;
  modelSha256: string;
  files: TeachFile[];
}

let featureCache: { key: string; table: FeatureTable; layer: string } | null = null;

/** Drops the cached feature table (a new base model, or tests). */
export function clearFeatureCache(): void {
  featureCache = null;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(bytes));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Training rows (all views of training photos) and validation rows (view 0), as teach-run.ts splits them. */
export function teachRows(labels: number[], numClasses: number, valFraction: number, per: number, seed: number) {
  const split = stratifiedSplit(labels, numClasses, valFraction, seed);
  const train = { rows: [] as number[], labels: [] as number[] };
  for (const p of split.train) {
    for (let v = 0; v < per; v++) {
      train.rows.push(p * per + v);
      train.labels.push(labels[p]!);
    }
  }
  const val = { rows: split.val.map((p) => p * per), labels: split.val.map((p) => labels[p]!) };
  return { train, val, split };
}

/** The cached features, or the views computed now (progress 0..0.4 of the job). */
async function features(base: tf.LayersModel, b: TeachBase, r: TeachRequest, size: number, ctx: JobContext) {
  const per = Math.max(1, r.augment.views);
  const key = JSON.stringify([b.url, b.sha256, r.layer, r.augment, size, r.photoKeys]);
  if (featureCache?.key === key) return { table: featureCache.table, layer: featureCache.layer, cached: true, seconds: 0 };
  const net = buildPlainNet(base, { inputSize: size, labels: [], id: `teach-${b.id}`, range: b.range });
  const t0 = Date.now();
  try {
    const layer = r.layer === 'auto' ? net.lastConvLayer : r.layer;
    const src = {
      count: r.photos.length * per,
      size,
      view: (i: number) => {
        const p = Math.floor(i / per);
        const photo = r.photos[p]!;
        return Promise.resolve(renderView(photo, planViews(photo.width, photo.height, r.augment, 1000 + p)[i % per]!, size));
      },
    };
    const onProgress = ctx.onProgress;
    const table = await extractFeatures(net, layer, src, r.featureBatch ?? 8, { signal: ctx.signal, onProgress: onProgress && ((p) => onProgress({ ...p, fraction: p.fraction * 0.4 })) });
    featureCache = { key, table, layer };
    return { table, layer, cached: false, seconds: (Date.now() - t0) / 1000 };
  } finally {
    net.dispose();
  }
}

/** Frees the head layers of a trained model; the base's layers are the base's to free. */
function disposeHead(model: tf.LayersModel): void {
  const own = new Set<string>(Object.values(headLayerNames));
  for (const l of model.layers) if (own.has(l.name)) l.dispose();
}

/** The model folder's files: model.json + shards, labels.json and the provenance file. */
async function folderOf(base: tf.LayersModel, layer: string, head: TrainedHead, dropout: number, provenance: Record<string, unknown>, classes: string[]) {
  const model = buildTrainedModel(base, layer, head, dropout);
  let folder: Awaited<ReturnType<typeof modelFolderFiles>>;
  try {
    folder = await modelFolderFiles(model, 'onirique teach');
  } finally {
    disposeHead(model);
  }
  const enc = (s: string) => new TextEncoder().encode(s);
  const modelJson = enc(folder.modelJson);
  const modelSha256 = await sha256Hex(modelJson);
  const files: TeachFile[] = [
    ...folder.shards,
    { name: 'labels.json', bytes: enc(JSON.stringify(classes, null, 1)) },
    { name: TEACH_PROVENANCE_FILE, bytes: enc(JSON.stringify({ ...provenance, modelJsonSha256: modelSha256 }, null, 2)) },
    { name: 'model.json', bytes: modelJson },
  ];
  return { files, modelSha256 };
}

/** Trains a head on `base` for the request's photos; nothing is kept but the feature cache. */
export async function teachOnPhotos(base: tf.LayersModel, b: TeachBase, r: TeachRequest, ctx: JobContext = {}): Promise<TeachOutcome> {
  if (r.photos.length !== r.labels.length || r.photos.length !== r.photoKeys.length) throw new Error('teach: photos, labels and keys differ in number');
  const shape = base.inputs[0]!.shape;
  const size = typeof shape[1] === 'number' ? shape[1] : 224;
  const o = { ...defaultHeadOptions, ...r.head };
  const f = await features(base, b, r, size, ctx);
  const per = Math.max(1, r.augment.views);
  const { train, val, split } = teachRows(r.labels, r.classes.length, r.valFraction, per, o.seed);
  const t1 = Date.now();
  const onProgress = ctx.onProgress;
  const head = await trainHead(f.table, train, val, r.classes.length, o, {
    signal: ctx.signal,
    // Each epoch's numbers ride on the progress report, so the panel draws its curves live.
    onEpoch: (e) => onProgress?.({ fraction: 0.4 + 0.6 * (e.epoch / o.epochs), label: `epoch ${e.epoch}/${o.epochs}`, metrics: { ...e } }),
  });
  const headSeconds = (Date.now() - t1) / 1000;
  throwIfAborted(ctx.signal);
  const evalSet = val.rows.length ? val : train;
  const predicted = [...predictRows(head, f.table, evalSet.rows)];
  const confusion = confusionMatrix(evalSet.labels, predicted, r.classes.length);
  const trainAccuracy = matrixAccuracy(confusionMatrix(train.labels, predictRows(head, f.table, train.rows), r.classes.length));
  const valAccuracy = val.rows.length ? matrixAccuracy(confusion) : null;
  const provenance = {
    format: 'onirique-teach/1', createdAt: new Date().toISOString(), classes: r.classes, layer: f.layer, inputSize: size, range: b.range, fit: 'resize',
    base: { id: b.id, name: b.name, sha256: b.sha256 }, data: { source: 'teach panel', trainPhotos: split.train.length, valPhotos: split.val.length },
    training: { ...o, valFraction: r.valFraction, augment: r.augment, epochsRun: head.history.length, bestEpoch: head.bestEpoch, stoppedEarly: head.stoppedEarly },
    trainAccuracy, valAccuracy, confusion,
  };
  const out = await folderOf(base, f.layer, head, o.dropout, provenance, r.classes);
  return {
    classes: r.classes, layer: f.layer, inputSize: size, history: head.history, bestEpoch: head.bestEpoch, stoppedEarly: head.stoppedEarly, trainAccuracy, valAccuracy, confusion,
    evalPhotos: (val.rows.length ? split.val : split.train.flatMap((p) => Array.from({ length: per }, () => p))), predicted,
    trainPhotos: split.train.length, valPhotos: split.val.length, featuresCached: f.cached, featureSeconds: f.seconds, headSeconds, modelSha256: out.modelSha256, files: out.files,
  };
}
