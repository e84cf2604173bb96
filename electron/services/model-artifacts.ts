/**
 * Reads an installed or imported model folder into tfjs ModelArtifacts, for Node code that loads
 * models from disk (the CLI, tests): `tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(dir)))`.
 */
import type { io } from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateModelFolder } from './model-validate';

/** ModelArtifacts plus the format, so the caller picks loadLayersModel or loadGraphModel. */
export interface LoadedArtifacts {
  format: 'layers-model' | 'graph-model';
  artifacts: io.ModelArtifacts;
}

/** Validates the folder, then concatenates its shards in manifest order into one weight buffer. */
export async function readModelArtifacts(dir: string): Promise<LoadedArtifacts> {
  const model = await validateModelFolder(dir);
  const weightData = new Uint8Array(model.weightBytes);
  let offset = 0;
  for (const shard of model.shards) {
    const bytes = await readFile(join(dir, shard.name));
    weightData.set(bytes, offset);
    offset += bytes.byteLength;
  }
  const json = model.modelJson;
  const artifacts: io.ModelArtifacts = {
    modelTopology: json.modelTopology as io.ModelArtifacts['modelTopology'],
    weightSpecs: model.manifest.flatMap((g) => g.weights) as io.WeightsManifestEntry[],
    weightData: weightData.buffer,
    format: typeof json.format === 'string' ? json.format : undefined,
    generatedBy: typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
    convertedBy: typeof json.convertedBy === 'string' ? json.convertedBy : null,
    signature: json.signature as io.ModelArtifacts['signature'],
    userDefinedMetadata: json.userDefinedMetadata as io.ModelArtifacts['userDefinedMetadata'],
    modelInitializer: json.modelInitializer as io.ModelArtifacts['modelInitializer'],
  };
  return { format: model.format, artifacts };
}
