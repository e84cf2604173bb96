/** Node-side loading of a tfjs model folder (model.json + shards) for the CLI, tests and benchmarks. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MODEL_ID } from '../services/model-catalog';
import { modelsRoot } from '../services/model-files';
import { defaultUserDataDir } from './commands/models';
import { buildPlainNet, loadLayersModel, type InputRange, type PlainNet } from '../../renderer/worker/compute/net/plain-net';

/** A model folder read into memory. */
export interface ModelFiles {
  /** Parsed model.json. */
  modelJson: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; format?: string };
  /** All shards concatenated in manifest order. */
  weightData: ArrayBuffer;
  /** Labels from imagenet_labels.json / labels.json beside model.json, or []. */
  labels: string[];
  /** SHA-256 (hex) of model.json's bytes: recorded in exports for reproducibility. */
  sha256: string;
  /** Absolute folder path. */
  dir: string;
}

/**
 * Default model folder: $ONIRIQUE_MODEL_DIR, else the default catalog model in the app's model
 * cache (`onirique models install` puts it there; same userData folder as the app).
 */
export function defaultModelDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONIRIQUE_MODEL_DIR) return resolve(env.ONIRIQUE_MODEL_DIR);
  return join(modelsRoot(defaultUserDataDir()), DEFAULT_MODEL_ID);
}

/** Reads model.json, its shards (in manifest order) and an optional labels file. */
export async function readModelDir(dir: string): Promise<ModelFiles> {
  const abs = resolve(dir);
  const jsonPath = join(abs, 'model.json');
  if (!existsSync(jsonPath)) throw new Error(`${abs}: no model.json (use --model DIR, set ONIRIQUE_MODEL_DIR, or run “onirique models install”)`);
  const jsonBytes = await readFile(jsonPath);
  const modelJson = JSON.parse(jsonBytes.toString('utf8')) as ModelFiles['modelJson'];
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) throw new Error(`${jsonPath}: not a tfjs model.json`);
  const parts: Buffer[] = [];
  for (const group of modelJson.weightsManifest) for (const p of group.paths) parts.push(await readFile(join(abs, p)));
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  let labels: string[] = [];
  for (const name of ['imagenet_labels.json', 'labels.json']) {
    const p = join(abs, name);
    if (existsSync(p)) {
      const v = JSON.parse(await readFile(p, 'utf8')) as unknown;
      const arr = Array.isArray(v) ? v : (v as { labels?: unknown }).labels;
      if (Array.isArray(arr)) labels = arr.map(String);
      break;
    }
  }
  return { modelJson, weightData, labels, sha256: createHash('sha256').update(jsonBytes).digest('hex'), dir: abs };
}

/** An IOHandler serving a model folder already read into memory. */
export function memoryHandler(files: ModelFiles): tf.io.IOHandler {
  return {
    load: async () => ({
      modelTopology: files.modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: files.modelJson.weightsManifest.flatMap((g) => g.weights),
      weightData: files.weightData,
    }),
  };
}

/** Loads a model folder as a LayersModel. */
export async function loadModelFromDir(dir: string): Promise<{ model: tf.LayersModel; files: ModelFiles }> {
  const files = await readModelDir(dir);
  return { model: await loadLayersModel(memoryHandler(files)), files };
}

/** Loads a model folder straight into a PlainNet (the LayersModel is disposed). */
export async function loadPlainNetFromDir(dir: string, opts: { inputSize?: number; range?: InputRange } = {}): Promise<{ net: PlainNet; files: ModelFiles }> {
  const { model, files } = await loadModelFromDir(dir);
  const shape = model.inputs[0]!.shape;
  const inputSize = opts.inputSize ?? (typeof shape[1] === 'number' ? shape[1] : 224);
  const net = buildPlainNet(model, { inputSize, range: opts.range ?? '-1..1', labels: files.labels, id: files.sha256.slice(0, 16) });
  model.dispose();
  return { net, files };
}
