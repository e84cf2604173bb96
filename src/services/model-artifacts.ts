/**
 * Reads a model folder into memory after validation, for everything that builds or copies a model:
 * the import (which writes these very bytes into the cache), the post-download check and the CLI's
 * `--model DIR`. `tf.loadLayersModel(tf.io.fromMemory((await readModelArtifacts(dir)).artifacts))`.
 */
import type { io } from '@tensorflow/tfjs';
import { ModelError, readFolderFile } from './model-files';
import { type ValidatedModel, validateModelFolder } from './model-validate';

/** ModelArtifacts plus the format, so the caller picks loadLayersModel or loadGraphModel. */
export interface LoadedArtifacts {
  format: 'layers-model' | 'graph-model';
  artifacts: io.ModelArtifacts;
}

/** A validated folder with its shards read: the bytes are exactly the sizes validation saw. */
export interface LoadedModelFolder extends LoadedArtifacts {
  model: ValidatedModel;
  /** Each shard's bytes, in manifest order (what an import writes). */
  shardBytes: Buffer[];
}

/** tfjs ModelArtifacts from a validated model.json and its weights concatenated in manifest order. */
export function toArtifacts(model: ValidatedModel, weightData: ArrayBuffer): io.ModelArtifacts {
  const json = model.modelJson;
  return {
    modelTopology: json.modelTopology as io.ModelArtifacts['modelTopology'],
    weightSpecs: model.manifest.flatMap((g) => g.weights) as io.WeightsManifestEntry[],
    weightData,
    format: typeof json.format === 'string' ? json.format : undefined,
    generatedBy: typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
    convertedBy: typeof json.convertedBy === 'string' ? json.convertedBy : null,
    signature: json.signature as io.ModelArtifacts['signature'],
    userDefinedMetadata: json.userDefinedMetadata as io.ModelArtifacts['userDefinedMetadata'],
    modelInitializer: json.modelInitializer as io.ModelArtifacts['modelInitializer'],
  };
}

/**
 * Validates the folder, then reads every shard as a regular file of exactly its validated size
 * (a file swapped or grown since is refused), concatenated in manifest order.
 */
export async function loadModelFolder(dir: string): Promise<LoadedModelFolder> {
  const model = await validateModelFolder(dir);
  const weightData = new Uint8Array(model.weightBytes);
  const shardBytes: Buffer[] = [];
  let offset = 0;
  for (const shard of model.shards) {
    const bytes = await readFolderFile(model.dir, shard.name, shard.bytes, shard.bytes);
    if (!bytes) throw new ModelError(`shard “${shard.name}” disappeared while it was being read; try again.`);
    weightData.set(bytes, offset);
    shardBytes.push(bytes);
    offset += bytes.byteLength;
  }
  return { model, shardBytes, format: model.format, artifacts: toArtifacts(model, weightData.buffer) };
}

/** Validates the folder and reads it into ModelArtifacts. */
export async function readModelArtifacts(dir: string): Promise<LoadedArtifacts> {
  const { format, artifacts } = await loadModelFolder(dir);
  return { format, artifacts };
}
