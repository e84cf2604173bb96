/**
 * The last gate before a model counts as installed (import, download, CLI `--model`): it is built
 * from the bytes in memory and one forward pass runs on a black image. Unknown layer classes,
 * weights whose shapes do not fit their layers, and outputs that are not one score per class all
 * fail here, with one line naming model.json and the reason, instead of when a panel first uses it.
 */
import * as tf from '@tensorflow/tfjs';
import { buildPlainNet } from '../core/net/plain-net';
import type { LayerInfo } from '../core/net/layer-info';
import type { LoadedModelFolder } from './model-artifacts';
import { ModelError } from './model-files';

/**
 * Whether the Explain/Dream engine (the plain-op rebuild of a LayersModel) can run graph models.
 * Until it can, a GraphModel is checked like any other (it must build and run) and then refused,
 * rather than installed to fail in the panels.
 */
export const ENGINE_RUNS_GRAPH_MODELS = false;

/** What the forward pass learnt. */
export interface ModelCheck {
  /** Scores per image: the length the labels must have. */
  numClasses: number;
  /** The square size the pass ran at. */
  inputSize: number;
  /** The addressable layers the panels can pick (from the model itself, not MobileNet's names). */
  layers: LayerInfo[];
}

/** One line from a tfjs error: its first line, without stack or hints, capped. */
function tfReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = (text.split('\n')[0] ?? '').trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

/** Turns what tfjs throws while building a model into one user-facing line. */
export function buildFailure(e: unknown): ModelError {
  const reason = tfReason(e);
  const unknown = /Unknown (?:layer|activation|regularizer|initializer|constraint)[^:]*: ?['“]?([A-Za-z_]\w*)/i.exec(reason);
  const op = /(?:Op is not supported|Unknown op)[:\s]*['“]?([A-Za-z_]\w*)/i.exec(reason);
  if (op) return new ModelError(`model.json uses the graph operation “${op[1]}”, which TensorFlow.js cannot run; this model cannot run in Onirique.`);
  if (unknown) return new ModelError(`model.json uses “${unknown[1]}”, which TensorFlow.js cannot build; this model cannot run in Onirique.`);
  if (/shape|size|mismatch|expected/i.test(reason)) {
    return new ModelError(`model.json: the weights do not fit the layers they belong to (${reason}); the shards belong to another model or are damaged.`);
  }
  return new ModelError(`model.json describes a model TensorFlow.js cannot build (${reason}).`);
}

/** The output of one pass on zeros, as [batch, classes], or a refusal. */
async function runZeros(run: (x: tf.Tensor) => Promise<tf.Tensor | tf.Tensor[] | tf.NamedTensorMap>, size: number): Promise<number> {
  const x = tf.zeros([1, size, size, 3]);
  let out: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
  try {
    out = await run(x);
  } catch (e) {
    // Graph models resolve their ops only when they run: an unknown op surfaces here.
    const built = buildFailure(e);
    if (/graph operation/.test(built.message)) throw built;
    throw new ModelError(`model.json: the model fails on a ${size}x${size} test image (${tfReason(e)}).`);
  } finally {
    x.dispose();
  }
  const outputs = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : Object.values(out);
  try {
    if (outputs.length !== 1) throw new ModelError(`model.json: the model has ${outputs.length} outputs; Onirique needs one list of class scores.`);
    const y = outputs[0]!;
    const classes = y.shape[1];
    if (y.shape.length !== 2 || y.shape[0] !== 1 || !classes) {
      throw new ModelError(`model.json: the model answers a tensor of shape [${y.shape.join(', ')}], not one score per class ([1, classes]); it is not an image classifier.`);
    }
    const values = await y.data();
    if (!values.every((v) => Number.isFinite(v))) throw new ModelError('model.json: the model answers NaN or infinite scores on a black image; its weights are damaged.');
    return classes;
  } finally {
    tf.dispose(outputs);
  }
}

/**
 * Builds the model from memory and runs it once on zeros at `inputSize`. LayersModels are also
 * rebuilt by the engine the panels use, whose layer list is returned.
 */
export async function checkModelRuns(folder: LoadedModelFolder, inputSize: number): Promise<ModelCheck> {
  await tf.ready();
  const handler = tf.io.fromMemory(folder.artifacts);
  if (folder.format === 'graph-model') {
    const graph = await tf.loadGraphModel(handler).catch((e: unknown) => {
      throw buildFailure(e);
    });
    try {
      const numClasses = await runZeros((x) => graph.executeAsync(x), inputSize);
      if (!ENGINE_RUNS_GRAPH_MODELS) {
        throw new ModelError('model.json is a TensorFlow.js graph model; it runs, but Explain and Dream can only use layers models (tfjs LayersModel) so far.');
      }
      return { numClasses, inputSize, layers: [] };
    } finally {
      graph.dispose();
    }
  }
  const model = await tf.loadLayersModel(handler).catch((e: unknown) => {
    throw buildFailure(e);
  });
  try {
    const numClasses = await runZeros(async (x) => model.predict(x), inputSize);
    let layers: LayerInfo[];
    try {
      const net = buildPlainNet(model, { inputSize });
      layers = net.layers;
      net.dispose();
    } catch (e) {
      throw new ModelError(`model.json runs, but Explain and Dream cannot rebuild it: ${tfReason(e)}.`);
    }
    return { numClasses, inputSize, layers };
  } finally {
    model.dispose();
  }
}

/** Refuses labels whose count differs from the model's classes, naming where they came from. */
export function checkLabelCount(labels: string[] | null, source: string | null, numClasses: number): void {
  if (labels && labels.length !== numClasses) {
    throw new ModelError(`${source ?? 'the labels'} has ${labels.length} class names but the model scores ${numClasses} classes.`);
  }
}
