/** Node-side loading of a tfjs model folder (model.json + shards) for the CLI, tests and benchmarks. */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MODEL_ID } from '../services/model-catalog';
import { ModelError, modelsRoot } from '../services/model-files';
import { type ImportSettings, prepareModel, type PreparedModel } from '../services/model-import';
import { defaultUserDataDir } from '../models/models-command';
import { buildPlainNet, loadLayersModel, type InputRange, type PlainNet } from '../core/net/plain-net';

/** A model folder read into memory. */
export interface ModelFiles {
  /** Parsed model.json. */
  modelJson: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; format?: string };
  /** All shards concatenated in manifest order. */
  weightData: ArrayBuffer;
  /** Labels found with the model (its folder's labels files, or the catalog's for a catalog model.json), or []. */
  labels: string[];
  /** Where the labels came from (a file name, `catalog (…)`), or null. */
  labelsSource: string | null;
  /** The input size and pixel range the folder (or the catalog) says, checked by one forward pass. */
  inputSize: number;
  range: InputRange;
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

/**
 * Reads and checks a model folder exactly as an import does (regular files inside the folder, exact
 * sizes, built and run once on zeros); a refusal is one line naming the folder, the file and the reason.
 */
export async function readModelDir(dir: string, settings: Pick<ImportSettings, 'inputSize' | 'range'> = {}): Promise<ModelFiles> {
  const abs = resolve(dir);
  let prepared: PreparedModel;
  try {
    prepared = await prepareModel(abs, settings);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    const hint = /has no model\.json|does not exist/.test(e.message) ? ' (use --model DIR, set ONIRIQUE_MODEL_DIR, or run “onirique models install”)' : '';
    throw new ModelError(`${abs}: ${e.message}${hint}`, { cause: e });
  }
  const { artifacts } = prepared.folder;
  const modelJson: ModelFiles['modelJson'] = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: prepared.folder.model.manifest.map((g) => ({ paths: g.paths, weights: g.weights as tf.io.WeightsManifestEntry[] })),
    format: prepared.folder.format,
  };
  const weightData = artifacts.weightData;
  if (!(weightData instanceof ArrayBuffer)) throw new ModelError(`${abs}: the weights were not read into one buffer.`);
  return {
    modelJson,
    weightData,
    labels: prepared.labels ?? [],
    labelsSource: prepared.labelsSource,
    inputSize: prepared.inputSize,
    range: prepared.range,
    sha256: prepared.sha256,
    dir: prepared.folder.model.dir,
  };
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
export async function loadModelFromDir(dir: string, settings: Pick<ImportSettings, 'inputSize' | 'range'> = {}): Promise<{ model: tf.LayersModel; files: ModelFiles }> {
  const files = await readModelDir(dir, settings);
  return { model: await loadLayersModel(memoryHandler(files)), files };
}

/** Loads a model folder straight into a PlainNet (the LayersModel is disposed). */
export async function loadPlainNetFromDir(dir: string, opts: { inputSize?: number; range?: InputRange } = {}): Promise<{ net: PlainNet; files: ModelFiles }> {
  const { model, files } = await loadModelFromDir(dir, opts);
  const shape = model.inputs[0]!.shape;
  const inputSize = opts.inputSize ?? (typeof shape[1] === 'number' ? shape[1] : files.inputSize);
  const net = buildPlainNet(model, { inputSize, range: opts.range ?? files.range, labels: files.labels, id: files.sha256.slice(0, 16) });
  model.dispose();
  return { net, files };
}
