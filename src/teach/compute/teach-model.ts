/**
 * The trained model as ONE standard tfjs LayersModel: the base network up to the feature layer,
 * then global average pooling, dropout, a dense layer (the logits) and a softmax, serialised to
 * the files of a model folder (model.json + shards) that plain `tf.loadLayersModel` reads.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainedHead } from './head';

/** Names of the head's layers in the saved model. */
export const headLayerNames = { pool: 'teach_pool', dropout: 'teach_dropout', logits: 'teach_logits', probs: 'teach_probs' } as const;

/** Shards are cut at 4 MiB, the tfjs converter's default. */
const SHARD_BYTES = 4 * 1024 * 1024;

/** A model folder's files: model.json's text and the shards, by file name. */
export interface ModelFolderFiles {
  modelJson: string;
  shards: { name: string; bytes: Uint8Array }[];
}

/**
 * Builds base(input → featureLayer) + head as one LayersModel sharing the base's layers (so the
 * caller disposes the base after it is done with the result, not before).
 */
export function buildTrainedModel(base: tf.LayersModel, featureLayer: string, head: TrainedHead, dropout: number): tf.LayersModel {
  const feat = base.getLayer(featureLayer).output as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: headLayerNames.pool }).apply(feat) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: dropout, name: headLayerNames.dropout }).apply(pooled) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: head.numClasses, name: headLayerNames.logits });
  const logits = dense.apply(dropped) as tf.SymbolicTensor;
  // The softmax is its own layer so Grad-CAM and the plain-op rebuild find the logits before it.
  const probs = tf.layers.activation({ activation: 'softmax', name: headLayerNames.probs }).apply(logits) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: probs, name: 'onirique_teach' });
  const weights = [tf.tensor2d(head.kernel, [head.dim, head.numClasses]), tf.tensor1d(head.bias)];
  dense.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** Serialises a LayersModel to the files of a standard tfjs model folder. */
export async function modelFolderFiles(model: tf.LayersModel, generatedBy: string): Promise<ModelFolderFiles> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as tf.io.ModelArtifacts | null;
  if (!a?.weightData || !a.weightSpecs) throw new Error('the model could not be serialised');
  const all = new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData));
  const count = Math.max(1, Math.ceil(all.byteLength / SHARD_BYTES));
  const shards = Array.from({ length: count }, (_, i) => ({ name: `group1-shard${i + 1}of${count}.bin`, bytes: all.slice(i * SHARD_BYTES, (i + 1) * SHARD_BYTES) }));
  const json = {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: a.weightSpecs }],
  };
  return { modelJson: JSON.stringify(json), shards };
}
