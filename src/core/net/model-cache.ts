/** The worker's loaded networks, keyed by model id, and the `loadModel` op that fills it. */
import * as tf from '@tensorflow/tfjs';
import type { OpHandlers, OpSpec } from '../job';
import type { LayerInfo } from './layer-info';
import { buildPlainNet, loadLayersModel, type InputRange, type PlainNet } from './plain-net';

/** Where the model comes from: a URL of model.json (shards beside it) or its bytes in memory. */
export type ModelSource =
  | { url: string }
  | { modelJson: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] }; weights: ArrayBuffer };

/** Input of the loadModel op. */
export interface LoadModelInput {
  /** Cache key (e.g. the catalog id or the model.json SHA-256). */
  id: string;
  source: ModelSource;
  labels?: string[];
  range?: InputRange;
  inputSize?: number;
}

/** What the UI learns about a loaded model. */
export interface ModelInfo {
  id: string;
  inputSize: number;
  range: InputRange;
  numClasses: number;
  labels: string[];
  layers: LayerInfo[];
  lastConvLayer: string;
  /** Backend the weights live on. */
  backend: string;
}

const cache = new Map<string, PlainNet>();

/** The loaded network with this id, if any. */
export function getNet(id: string): PlainNet | undefined {
  return cache.get(id);
}

/** Loads (or reloads) a model into the cache and describes it. */
export async function loadModelOp(input: LoadModelInput): Promise<ModelInfo> {
  const src = input.source;
  const handler: tf.io.IOHandler | string =
    'url' in src
      ? src.url
      : {
          load: async () => ({
            modelTopology: src.modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
            weightSpecs: src.modelJson.weightsManifest.flatMap((g) => g.weights),
            weightData: src.weights,
          }),
        };
  const model = await loadLayersModel(handler);
  const shape = model.inputs[0]!.shape;
  const inputSize = input.inputSize ?? (typeof shape[1] === 'number' ? shape[1] : 224);
  let net: PlainNet;
  try {
    net = buildPlainNet(model, { id: input.id, inputSize, range: input.range ?? '-1..1', labels: input.labels ?? [] });
  } finally {
    model.dispose();
  }
  cache.get(input.id)?.dispose();
  cache.set(input.id, net);
  return describeNet(net);
}

/** Releases a cached model; true when one was loaded. */
export function unloadModel(id: string): boolean {
  const net = cache.get(id);
  net?.dispose();
  return cache.delete(id);
}

/** The UI-facing description of a network. */
export function describeNet(net: PlainNet): ModelInfo {
  return {
    id: net.id,
    inputSize: net.inputSize,
    range: net.range,
    numClasses: net.numClasses,
    labels: net.labels,
    layers: net.layers,
    lastConvLayer: net.lastConvLayer,
    backend: tf.getBackend(),
  };
}

/** The model ops every feature shares. */
export interface ModelOps {
  /** Loads a tfjs LayersModel (URL or bytes) as a plain-op network cached under `id`. */
  loadModel: OpSpec<LoadModelInput, ModelInfo>;
}

/** Their handlers. */
export const modelHandlers: OpHandlers<ModelOps> = { loadModel: (input) => loadModelOp(input) };
