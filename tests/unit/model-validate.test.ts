/**
 * One validation for every way a model comes in: crafted folders (built in temp dirs from the
 * shared MobileNet, never touching it) are refused alike by the import, the catalog download (a
 * 127.0.0.1 server serving the crafted files with matching catalog hashes) and the CLI's
 * `--model DIR`, with one line naming the file and the reason, and the cache unchanged.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readModelDir } from '../../src/cli/model-files';
import type { CatalogModel } from '../../src/services/model-catalog';
import { ModelStore } from '../../src/services/model-store';
import { inspectModelJson } from '../../src/services/model-validate';
import { sha256Of, sharedMobilenet, startModelServer, type TestServer } from './model-store-server';

let work: string;
let userData: string;
let served: string;
let server: TestServer;

beforeAll(async () => {
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to start');
  await tf.ready();
  served = await mkdtemp(path.join(tmpdir(), 'onirique-served-'));
  server = await startModelServer(served);
});
afterAll(async () => {
  await server.close();
  await rm(served, { recursive: true, force: true });
});
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'onirique-validate-'));
  userData = path.join(work, 'user-data');
});
afterEach(() => rm(work, { recursive: true, force: true }));

interface ModelJson {
  modelTopology: { model_config?: { config: { layers: { class_name: string }[] } } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
}

/** A scratch copy of the shared MobileNet (labels left out unless asked for). */
async function copyMobilenet(dir: string, withLabels = false): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(sharedMobilenet)) {
    if (f === 'SOURCE.md' || (!withLabels && f === 'imagenet_labels.json')) continue;
    await copyFile(path.join(sharedMobilenet, f), path.join(dir, f));
  }
  return dir;
}

async function editJson(dir: string, edit: (j: ModelJson) => void): Promise<string> {
  const file = path.join(dir, 'model.json');
  const j = JSON.parse(await readFile(file, 'utf8')) as ModelJson;
  edit(j);
  await writeFile(file, JSON.stringify(j));
  return dir;
}

/** A hand-written tfjs graph model: mean over the image, a 3x4 MatMul, softmax (4 classes). */
async function graphModel(dir: string, op = 'MatMul'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dims = (...s: number[]) => ({ dim: s.map((size) => ({ size: String(size) })) });
  const constant = (name: string, type: string, shape: number[]) => ({ name, op: 'Const', attr: { dtype: { type }, value: { tensor: { dtype: type, tensorShape: dims(...shape) } } } });
  const json = {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'hand',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims(-1, 16, 16, 3) } } },
        constant('axes', 'DT_INT32', [2]),
        constant('w', 'DT_FLOAT', [3, 4]),
        { name: 'mean', op: 'Mean', input: ['x', 'axes'], attr: { keep_dims: { b: false }, T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' } } },
        { name: 'logits', op, input: ['mean', 'w'], attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } } },
        { name: 'probs', op: 'Softmax', input: ['logits'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'axes', shape: [2], dtype: 'int32' }, { name: 'w', shape: [3, 4], dtype: 'float32' }] }],
  };
  const weights = new Uint8Array(8 + 48);
  new Int32Array(weights.buffer, 0, 2).set([1, 2]);
  new Float32Array(weights.buffer, 8, 12).set(Array.from({ length: 12 }, (_, i) => i / 10));
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(path.join(dir, 'group1-shard1of1.bin'), weights);
  return dir;
}

/** A small non-image model (input [null, 10]). */
async function textModel(dir: string): Promise<string> {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 50, outputDim: 4, inputLength: 10 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 2 }));
  await mkdir(dir, { recursive: true });
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      const json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      await writeFile(path.join(dir, 'w.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  m.dispose();
  return dir;
}

/** Every path under the cache, to prove a refusal left it as it was. */
async function cacheSnapshot(): Promise<string[]> {
  const root = path.join(userData, 'models');
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      out.push(path.relative(root, path.join(d, e.name)));
      if (e.isDirectory()) await walk(path.join(d, e.name));
    }
  };
  await walk(root);
  return out.sort();
}

/** Serves `dir` as catalog model `id`, with the hashes of the crafted files (so only validation can refuse it). */
async function serveAsCatalog(dir: string, id: string): Promise<CatalogModel> {
  await rm(path.join(served, id), { recursive: true, force: true });
  await mkdir(path.join(served, id));
  const names = (await readdir(dir)).filter((f) => f !== 'model.json');
  const files = [];
  for (const name of ['model.json', ...names]) {
    const bytes = await readFile(path.join(dir, name));
    await writeFile(path.join(served, id, name), bytes);
    files.push({ name, bytes: bytes.byteLength, sha256: await sha256Of(path.join(dir, name)) });
  }
  let inputSize = 224;
  try {
    inputSize = inspectModelJson(await readFile(path.join(dir, 'model.json'))).inputHeight ?? 224;
  } catch {
    // A model.json the validation refuses: the catalog entry's size does not matter.
  }
  return { id, name: `Crafted ${id}`, credit: 'test', format: 'layers-model', inputSize, range: '-1..1', labels: [], files };
}

type Way = 'import' | 'download' | 'cli';
/** Crafted folder, the ways it is tried, and the one line each must refuse it with. */
const refusals: [string, (dir: string) => Promise<string>, Way[], RegExp][] = [
  ['a shard that is a symlink (to a same-size file outside)', async (d) => {
    await copyMobilenet(d);
    const outside = path.join(work, 'outside-shard');
    await copyFile(path.join(d, 'group1-shard1of1'), outside);
    await rm(path.join(d, 'group1-shard1of1'));
    await symlink(outside, path.join(d, 'group1-shard1of1'));
    return d;
  }, ['import', 'cli'], /shard “group1-shard1of1” is a symbolic link/],
  ['a shard that is a symlink to /etc/passwd', async (d) => {
    await copyMobilenet(d);
    await rm(path.join(d, 'group2-shard1of1'));
    await symlink('/etc/passwd', path.join(d, 'group2-shard1of1'));
    return d;
  }, ['import', 'cli'], /shard “group2-shard1of1” is a symbolic link/],
  ['a model.json that is a symlink', async (d) => {
    const real = await copyMobilenet(path.join(work, 'real'));
    await copyMobilenet(d);
    await rm(path.join(d, 'model.json'));
    await symlink(path.join(real, 'model.json'), path.join(d, 'model.json'));
    return d;
  }, ['import', 'cli'], /“model\.json” is a symbolic link/],
  ['a manifest path with ../', async (d) => editJson(await copyMobilenet(d), (j) => (j.weightsManifest[3]!.paths = ['../real/group4-shard1of1'])), ['import', 'download', 'cli'], /shard “\.\.\/real\/group4-shard1of1” that is not a plain file name/],
  ['an absolute manifest path', async (d) => editJson(await copyMobilenet(d), (j) => (j.weightsManifest[0]!.paths = ['/etc/passwd'])), ['import', 'download', 'cli'], /shard “\/etc\/passwd” that is not a plain file name/],
  ['a shard longer than its manifest', async (d) => {
    await copyMobilenet(d);
    await appendFile(path.join(d, 'group3-shard1of1'), new Uint8Array(8));
    return d;
  }, ['import', 'download', 'cli'], /shard “group3-shard1of1” is 872 bytes but model\.json says its weights take 864 bytes/],
  ['a shard shorter than its manifest', async (d) => {
    await copyMobilenet(d);
    await truncate(path.join(d, 'group3-shard1of1'), 860);
    return d;
  }, ['import', 'download', 'cli'], /shard “group3-shard1of1” is 860 bytes but model\.json says its weights take 864 bytes/],
  ['an unknown layer class', async (d) => editJson(await copyMobilenet(d), (j) => (j.modelTopology.model_config!.config.layers[3]!.class_name = 'FancyLayer')), ['import', 'download', 'cli'], /^(?:.*: )?model\.json uses “FancyLayer”, which TensorFlow\.js cannot build/],
  ['transposed weights (same byte count)', async (d) => editJson(await copyMobilenet(d), (j) => {
    const w = j.weightsManifest.flatMap((g) => g.weights).find((x) => x.shape.length === 4 && x.shape[2] !== x.shape[3])!;
    w.shape = [w.shape[0]!, w.shape[1]!, w.shape[3]!, w.shape[2]!];
  }), ['import', 'download', 'cli'], /model\.json: the weights do not fit the layers they belong to/],
  ['a graph model (checked, then refused: the panels run layers models only)', (d) => graphModel(d), ['import', 'download', 'cli'], /model\.json is a TensorFlow\.js graph model; it runs, but Explain and Dream can only use layers models/],
  ['a graph model with an op tfjs cannot run', (d) => graphModel(d, 'FancyOp'), ['import', 'cli'], /model\.json uses the graph operation “FancyOp”/],
  ['a model with no image input', (d) => textModel(d), ['import', 'download', 'cli'], /input has shape \[null, 10\]; Onirique needs an image input/],
];

describe.each(refusals)('%s', (_what, make, ways, message) => {
  it.each(ways)('is refused by %s with one line, the cache unchanged', async (way) => {
    const dir = await make(path.join(work, 'crafted'));
    const store = new ModelStore(userData, { baseUrl: server.baseUrl, catalog: way === 'download' ? [await serveAsCatalog(dir, 'crafted')] : [] });
    await store.list();
    const before = await cacheSnapshot();
    const attempt = way === 'import' ? store.importFrom(dir) : way === 'download' ? store.install('crafted') : readModelDir(dir);
    const error = await attempt.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    if (way === 'cli') expect(text.startsWith(`${path.join(work, 'crafted')}: `) || text.includes(path.join(work, 'crafted'))).toBe(true);
    expect(await cacheSnapshot()).toEqual(before);
    expect((await store.list()).filter((m) => m.installed)).toEqual([]);
  });
});

describe('valid folders are accepted the same way', () => {
  it('a crafted copy that is byte-identical to the shared MobileNet installs by download, imports, and loads in the CLI', async () => {
    const dir = await copyMobilenet(path.join(work, 'fine'));
    const store = new ModelStore(userData, { baseUrl: server.baseUrl, catalog: [await serveAsCatalog(dir, 'fine')] });
    await expect(store.install('fine')).resolves.toMatchObject({ id: 'fine', installed: true, inputSize: 224 });
    // Same SHA-256 as the catalog's MobileNet: its labels come from the catalog, and the CLI says so too.
    await expect(store.importFrom(dir)).resolves.toMatchObject({ labelsSource: 'catalog (MobileNet v1 0.75 (224, ImageNet))', inputSize: 224, range: '-1..1' });
    const files = await readModelDir(dir);
    expect(files.labels).toHaveLength(1000);
    expect(files.labels[285]).toBe('Egyptian cat');
    expect(files.labelsSource).toMatch(/^catalog/);
  });
});
