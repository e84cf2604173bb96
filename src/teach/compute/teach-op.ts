/** The Teach feature's worker ops: train a classifier head on photos, the network table, and a layer's filters. */
import type * as tf from '@tensorflow/tfjs';
import type { JobContext, OpHandlers, OpSpec } from '../../core/job';
import { loadLayersModel } from '../../core/net/plain-net';
import { networkTable, type NetworkRow } from './network-table';
import { clearFeatureCache, teachOnPhotos, type TeachBase, type TeachOutcome, type TeachRequest } from './teach-pipeline';

/** Input of the teach op. */
export interface TeachOpInput extends TeachRequest {
  base: TeachBase;
}

/** Input of the networkTable and layerFilters ops: the model's model.json URL (and the layer for filters). */
export interface NetworkOpInput {
  url: string;
}

/** A layer's filters: weights [kh, kw, inChannels, count] flattened in that order (Conv2D; depthwise: count = multiplier x channels). */
export interface LayerFilters {
  layer: string;
  type: string;
  kh: number;
  kw: number;
  inChannels: number;
  count: number;
  /** True for a depthwise convolution: filter j sees only input channel j / multiplier (inChannels is then 1). */
  depthwise: boolean;
  weights: Float32Array;
  /** The network's own first layer (its filters see RGB pixels, so they can be used as a Filter-panel kernel). */
  first: boolean;
}

/** Input of the layerFilters op. */
export interface LayerFiltersInput extends NetworkOpInput {
  layer: string;
}

let base: { url: string; model: tf.LayersModel } | null = null;

/** The LayersModel of `url`, kept loaded between calls (training the same base again reuses it). */
async function baseModel(url: string): Promise<tf.LayersModel> {
  if (base?.url === url) return base.model;
  const model = await loadLayersModel(url);
  base?.model.dispose();
  clearFeatureCache();
  base = { url, model };
  return model;
}

/** teach op: features (cached), head, model folder. */
export async function teachOp(input: TeachOpInput, ctx: JobContext): Promise<TeachOutcome> {
  const model = await baseModel(input.base.url);
  return teachOnPhotos(model, input.base, input, ctx);
}

/** The convolutional layers, input to output, and which is first. */
function convLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => /Conv2D$/.test(l.getClassName()));
}

/** layerFilters op: the kernel weights of a convolution layer. */
export async function layerFiltersOp(input: LayerFiltersInput): Promise<LayerFilters> {
  const model = await baseModel(input.url);
  const layer = model.getLayer(input.layer);
  const type = layer.getClassName();
  const w = layer.getWeights()[0];
  if (!/Conv2D$/.test(type) || !w || w.rank !== 4) throw new Error(`layer “${input.layer}” (${type}) has no convolution filters`);
  const [kh, kw, inC, out] = w.shape as [number, number, number, number];
  const depthwise = type === 'DepthwiseConv2D';
  const weights = Float32Array.from(await w.data());
  return { layer: layer.name, type, kh, kw, inChannels: depthwise ? 1 : inC, count: depthwise ? inC * out : out, depthwise, weights, first: convLayers(model)[0]?.name === layer.name };
}

/** The ops the Teach feature serves. */
export interface TeachOps {
  /** Trains a classifier head on the photos (progress: features, then one report per epoch with its `metrics`). */
  teach: OpSpec<TeachOpInput, TeachOutcome>;
  /** The Network view's table of a model. */
  networkTable: OpSpec<NetworkOpInput, NetworkRow[]>;
  /** A convolution layer's filters. */
  layerFilters: OpSpec<LayerFiltersInput, LayerFilters>;
}

/** Their handlers. */
export const teachHandlers: OpHandlers<TeachOps> = {
  teach: teachOp,
  networkTable: async (input) => networkTable(await baseModel(input.url)),
  layerFilters: (input) => layerFiltersOp(input),
};
