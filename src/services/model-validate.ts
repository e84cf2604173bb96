/**
 * Checks that a folder holds a tfjs model Onirique can run before anything is copied: the
 * model.json shape, every shard present with the byte size its manifest implies, one image input.
 * Messages name the exact problem so the user can fix the folder.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isSafeFileName, ModelError, type ModelFormat, readFolderFile } from './model-files';

/** Largest model.json read (graph-model topologies run to a few MiB; this is a sanity cap). */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
/** Largest total weight size accepted for import. */
export const MAX_WEIGHT_BYTES = 2 * 1024 ** 3;

/** One tfjs weight entry as the manifest describes it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; [k: string]: unknown };
}

/** One manifest group: shard files whose concatenation holds the group's weights. */
export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** What validation learnt about a model folder. */
export interface ValidatedModel {
  dir: string;
  format: ModelFormat;
  /** The raw model.json bytes (hashed and copied as they are). */
  modelJsonBytes: Buffer;
  modelJson: Record<string, unknown>;
  manifest: WeightGroup[];
  /** Shard files in manifest order with their sizes on disk. */
  shards: { name: string; bytes: number }[];
  weightBytes: number;
  /** Spatial size of the image input; null where the model accepts any size. */
  inputHeight: number | null;
  inputWidth: number | null;
}

const dtypeBytes: Record<string, number> = {
  float32: 4,
  int32: 4,
  uint32: 4,
  float16: 2,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  complex64: 8,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Bytes one weight occupies in its shard (quantized dtype when quantized). */
export function weightByteSize(w: WeightSpec): number {
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = dtypeBytes[dtype];
  if (per === undefined) throw new ModelError(`weight “${w.name}” has dtype “${dtype}”, which Onirique cannot check or run.`);
  return w.shape.reduce((a, b) => a * b, 1) * per;
}

function parseManifest(raw: unknown): WeightGroup[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ModelError('model.json has no weightsManifest (a list of shard groups), so its weights cannot be found.');
  return raw.map((g, gi): WeightGroup => {
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new ModelError(`model.json weightsManifest entry ${gi + 1} needs “paths” and “weights” lists.`);
    }
    const paths = g.paths.map((p) => {
      if (typeof p !== 'string' || !isSafeFileName(p)) {
        throw new ModelError(`model.json names a shard “${String(p)}” that is not a plain file name in the same folder.`);
      }
      return p;
    });
    const weights = g.weights.map((w, wi): WeightSpec => {
      const ok =
        isObject(w) &&
        typeof w.name === 'string' &&
        typeof w.dtype === 'string' &&
        Array.isArray(w.shape) &&
        w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0) &&
        (w.quantization === undefined || (isObject(w.quantization) && typeof w.quantization.dtype === 'string'));
      if (!ok) throw new ModelError(`model.json weightsManifest entry ${gi + 1}, weight ${wi + 1} needs a name, a dtype and an integer shape.`);
      return w as unknown as WeightSpec;
    });
    return { paths, weights };
  });
}

function dimsOf(shape: unknown): (number | null)[] | null {
  if (!Array.isArray(shape)) return null;
  return shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null));
}

/** Input shapes of a Keras topology as tfjs-layers stores it (plain or wrapped in model_config). */
function layersInputShapes(topology: unknown): (number | null)[][] {
  let t = topology;
  if (isObject(t) && isObject(t.model_config)) t = t.model_config;
  if (!isObject(t)) throw new ModelError('model.json modelTopology is not a Keras model description.');
  const config = t.config;
  const layers = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : null;
  if (!layers || layers.length === 0) throw new ModelError('model.json modelTopology has no layers.');
  const shapeOf = (layer: unknown): (number | null)[] | null => {
    if (!isObject(layer) || !isObject(layer.config)) return null;
    const c = layer.config;
    const batch = dimsOf(c.batch_input_shape ?? c.batchInputShape ?? c.batch_shape);
    if (batch) return batch;
    const inner = dimsOf(c.input_shape ?? c.inputShape);
    return inner ? [null, ...inner] : null;
  };
  if (t.class_name === 'Sequential') {
    const s = shapeOf(layers[0]);
    if (!s) throw new ModelError('model.json: the first layer of this Sequential model declares no input shape.');
    return [s];
  }
  const inputNames = isObject(config) && Array.isArray(config.input_layers) ? config.input_layers.map((x) => (Array.isArray(x) ? x[0] : x)) : null;
  const inputs = layers.filter(
    (l) => isObject(l) && l.class_name === 'InputLayer' && (!inputNames || inputNames.includes(l.name ?? (isObject(l.config) ? l.config.name : undefined))),
  );
  if (inputs.length === 0) throw new ModelError('model.json modelTopology declares no input layer.');
  return inputs.map((l) => {
    const s = shapeOf(l);
    if (!s) throw new ModelError('model.json: an input layer declares no shape.');
    return s;
  });
}

function tensorShapeDims(ts: unknown): (number | null)[] | null {
  if (!isObject(ts) || !Array.isArray(ts.dim)) return null;
  return ts.dim.map((d) => {
    const size = isObject(d) ? Number(d.size) : NaN;
    return Number.isInteger(size) && size >= 0 ? size : null;
  });
}

/** Input shapes of a graph model: its serving signature, else its Placeholder nodes. */
function graphInputShapes(json: Record<string, unknown>): (number | null)[][] {
  const sig = json.signature;
  if (isObject(sig) && isObject(sig.inputs) && Object.keys(sig.inputs).length > 0) {
    return Object.values(sig.inputs).map((i) => (isObject(i) ? tensorShapeDims(i.tensorShape) : null) ?? []);
  }
  const topo = json.modelTopology;
  const nodes = isObject(topo) && Array.isArray(topo.node) ? topo.node : [];
  const placeholders = nodes.filter((n) => isObject(n) && n.op === 'Placeholder');
  if (placeholders.length === 0) throw new ModelError('model.json graph has no input (no signature inputs and no Placeholder node).');
  return placeholders.map((n) => {
    const attr = isObject(n) && isObject(n.attr) ? n.attr : {};
    const shape = isObject(attr.shape) ? attr.shape.shape : undefined;
    return tensorShapeDims(shape) ?? [];
  });
}

function describeShape(s: (number | null)[]): string {
  return `[${s.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** Parses model.json text: format, manifest and the single image input it must have. */
export function inspectModelJson(bytes: Uint8Array): Omit<ValidatedModel, 'dir' | 'modelJsonBytes' | 'shards' | 'weightBytes'> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ModelError('model.json is not valid JSON; is this really a TensorFlow.js model folder?');
  }
  if (!isObject(json)) throw new ModelError('model.json is not a JSON object describing a model.');
  const topo = json.modelTopology;
  if (!isObject(topo)) throw new ModelError('model.json has no modelTopology; it is not a TensorFlow.js model.');
  const format: ModelFormat = json.format === 'graph-model' || Array.isArray(topo.node) ? 'graph-model' : 'layers-model';
  const manifest = parseManifest(json.weightsManifest);
  const shapes = format === 'graph-model' ? graphInputShapes(json) : layersInputShapes(topo);
  if (shapes.length !== 1) throw new ModelError(`the model has ${shapes.length} inputs; Onirique needs exactly one image input.`);
  const s = shapes[0] ?? [];
  if (s.length !== 4 || s[3] !== 3) {
    throw new ModelError(`the model's input has shape ${describeShape(s)}; Onirique needs an image input [batch, height, width, 3] (RGB, channels last).`);
  }
  return { format, modelJson: json, manifest, inputHeight: s[1] ?? null, inputWidth: s[2] ?? null };
}

/** Validates a tfjs model folder on disk without copying anything. */
export async function validateModelFolder(dirIn: string): Promise<ValidatedModel> {
  const dirStat = await stat(dirIn).catch(() => null);
  if (!dirStat) throw new ModelError(`the folder “${basename(dirIn)}” does not exist.`);
  if (!dirStat.isDirectory()) throw new ModelError(`“${basename(dirIn)}” is a file; choose the folder that holds model.json and its shard files.`);
  // The folder itself may be reached through a link; everything inside it must then stay inside its real path.
  const dir = await realpath(dirIn);
  const jsonStat = await lstat(join(dir, 'model.json')).catch(() => null);
  if (!jsonStat) throw new ModelError(`the folder “${basename(dirIn)}” has no model.json; choose a TensorFlow.js model folder (model.json plus shard files).`);
  const modelJsonBytes = await readFolderFile(dir, 'model.json', MAX_MODEL_JSON_BYTES);
  if (!modelJsonBytes) throw new ModelError(`the folder “${basename(dirIn)}” has no model.json.`);
  const inspected = inspectModelJson(modelJsonBytes);
  const shards: { name: string; bytes: number }[] = [];
  let weightBytes = 0;
  for (const group of inspected.manifest) {
    const expected = group.weights.reduce((a, w) => a + weightByteSize(w), 0);
    let actual = 0;
    for (const p of group.paths) {
      const size = await regularFileSize(dir, p);
      actual += size;
      shards.push({ name: p, bytes: size });
    }
    if (actual !== expected) {
      const which = group.paths.length === 1 ? `shard “${group.paths[0]}” is` : `shards ${group.paths.map((p) => `“${p}”`).join(', ')} together are`;
      throw new ModelError(`${which} ${actual} bytes but model.json says its weights take ${expected} bytes; the file is truncated or belongs to another model.`);
    }
    weightBytes += expected;
    if (weightBytes > MAX_WEIGHT_BYTES) throw new ModelError('the model weighs more than 2 GiB, more than Onirique can load.');
  }
  return { dir, modelJsonBytes, ...inspected, shards, weightBytes };
}

/** Size of a shard that is a regular file whose real path is in `dir` (lstat: links are refused, never followed). */
async function regularFileSize(dir: string, name: string): Promise<number> {
  const st = await lstat(join(dir, name)).catch(() => null);
  if (!st) throw new ModelError(`shard “${name}” listed in model.json is missing from the folder.`);
  if (st.isSymbolicLink()) throw new ModelError(`shard “${name}” is a symbolic link; copy the real file into the model folder.`);
  if (!st.isFile()) throw new ModelError(`shard “${name}” listed in model.json is not a regular file.`);
  const real = await realpath(join(dir, name));
  if (dirname(real) !== dir) throw new ModelError(`shard “${name}” is not inside the model folder.`);
  return st.size;
}
