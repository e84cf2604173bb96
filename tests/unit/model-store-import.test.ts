/** Importing tfjs model folders into the cache, validation messages, and the safe file resolver for app:// and /models/. */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { modelsCommand } from '../../src/models/models-command';
import { HostServices } from '../../src/services/host-services';
import { readModelArtifacts } from '../../src/services/model-artifacts';
import { modelFileForUrl, modelFileForUrlPath } from '../../src/services/model-files';
import { ModelStore } from '../../src/services/model-store';
import { inspectModelJson, weightByteSize } from '../../src/services/model-validate';
import { sha256Of, sharedMobilenet } from './model-store-server';

let work: string;
let userData: string;
let store: ModelStore;

beforeAll(async () => {
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to start');
  await tf.ready();
});
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'onirique-import-'));
  userData = path.join(work, 'user-data');
  // Unreachable on purpose: imports must never touch the network.
  store = new ModelStore(userData, { baseUrl: 'http://127.0.0.1:9/' });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Copies the shared MobileNet into a scratch folder (outside the repo) so a test can damage it. */
async function copyMobilenet(name: string, skip: string[] = []): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir);
  for (const f of await readdir(sharedMobilenet)) if (!skip.includes(f)) await copyFile(path.join(sharedMobilenet, f), path.join(dir, f));
  return dir;
}

/** Saves a real tfjs LayersModel the way the converter lays it out: model.json plus one shard. */
async function saveTfjsFolder(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const shard = 'group1-shard1of1.bin';
      const json = { format: 'layers-model', generatedBy: 'test', convertedBy: null, modelTopology: a.modelTopology, weightsManifest: [{ paths: [shard], weights: a.weightSpecs }] };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      await writeFile(path.join(dir, shard), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

function tinyImageModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

describe('import', () => {
  it('imports the shared MobileNet folder with a labels file into a byte-identical cached copy', async () => {
    const entry = await store.importFrom(sharedMobilenet, { labelsFile: path.join(sharedMobilenet, 'imagenet_labels.json') });
    expect(entry).toMatchObject({
      id: 'imported-mobilenet-v1-0-75-224',
      name: 'mobilenet_v1_0.75_224',
      installed: true,
      url: 'models/imported-mobilenet-v1-0-75-224/model.json',
      inputSize: 224,
      range: '-1..1',
      format: 'layers-model',
      source: 'imported',
    });
    expect(entry.sha256).toBe(await sha256Of(path.join(sharedMobilenet, 'model.json')));
    expect(entry.labels).toHaveLength(1000);
    expect(entry.labels?.[285]).toBe('Egyptian cat');
    const folder = (await store.installedDir(entry.id))!;
    for (const f of await readdir(sharedMobilenet)) {
      if (f === 'SOURCE.md' || f === 'imagenet_labels.json') continue;
      expect((await readFile(path.join(folder, f))).equals(await readFile(path.join(sharedMobilenet, f))), f).toBe(true);
    }
    expect((await store.list()).map((m) => [m.id, m.installed])).toEqual([
      ['mobilenet_v1_0.75_224', false],
      ['imported-mobilenet-v1-0-75-224', true],
    ]);
    // Same model.json imported again reuses its id rather than piling up copies.
    expect((await store.importFrom(sharedMobilenet)).id).toBe(entry.id);
    // Without a labels file the folder's own imagenet_labels.json is found (it used to be “no labels”).
    expect(await store.importFrom(sharedMobilenet)).toMatchObject({ labelsSource: 'imagenet_labels.json', labels: entry.labels });
  });

  it('round-trips a freshly saved tfjs model: metadata.json labels and size are used, predictions are identical', async () => {
    const original = tinyImageModel();
    const dir = path.join(work, 'Tiny Model');
    await saveTfjsFolder(original, dir);
    await writeFile(path.join(dir, 'metadata.json'), JSON.stringify({ labels: ['red', 'green', 'blue'], imageSize: 16 }));
    const entry = await store.importFrom(dir, { range: '0..1' });
    expect(entry).toMatchObject({ id: 'imported-tiny-model', inputSize: 16, range: '0..1', labels: ['red', 'green', 'blue'] });
    const { artifacts } = await readModelArtifacts((await store.installedDir(entry.id))!);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const x = tf.randomUniform([2, 16, 16, 3]);
    const [a, b] = [original.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    original.dispose();
    loaded.dispose();

    // A different model under the same folder name gets a numbered id instead of replacing the first.
    await saveTfjsFolder(tinyImageModel(), dir);
    expect((await store.importFrom(dir)).id).toBe('imported-tiny-model-2');
    expect(await store.importFrom(dir, { inputSize: 32 }).catch((e: Error) => e.message)).toBe('the model expects 16x16 images, not 32x32 as the settings say.');
  });

  const refusals: [string, (dir: string) => Promise<string>, RegExp][] = [
    ['no model.json', async () => { const d = path.join(work, 'empty'); await mkdir(d); return d; }, /folder “empty” has no model\.json/],
    ['a missing shard', () => copyMobilenet('m', ['group5-shard1of1']), /shard “group5-shard1of1” listed in model\.json is missing/],
    ['a shard of the wrong size', async () => { const d = await copyMobilenet('m'); await truncate(path.join(d, 'group5-shard1of1'), 6000); return d; }, /shard “group5-shard1of1” is 6000 bytes but model\.json says its weights take 6144 bytes/],
    ['a model.json that is not JSON', async () => { const d = await copyMobilenet('m'); await writeFile(path.join(d, 'model.json'), 'hello, not json'); return d; }, /model\.json is not valid JSON/],
    ['JSON without modelTopology', async () => { const d = await copyMobilenet('m'); await writeFile(path.join(d, 'model.json'), '{"weightsManifest": []}'); return d; }, /has no modelTopology/],
    ['a shard path escaping the folder', async () => {
      const d = await copyMobilenet('m');
      const j = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
      j.weightsManifest[0]!.paths = ['../../etc/passwd'];
      await writeFile(path.join(d, 'model.json'), JSON.stringify(j));
      return d;
    }, /shard “\.\.\/\.\.\/etc\/passwd” that is not a plain file name/],
    ['a text model (input [null, 10])', async () => {
      const m = tf.sequential();
      m.add(tf.layers.embedding({ inputDim: 50, outputDim: 4, inputLength: 10 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 2 }));
      const d = path.join(work, 'text');
      await saveTfjsFolder(m, d);
      m.dispose();
      return d;
    }, /input has shape \[null, 10\]; Onirique needs an image input \[batch, height, width, 3\]/],
    ['a file instead of a folder', async () => path.join(sharedMobilenet, 'model.json'), /“model\.json” is a file; choose the folder/],
  ];
  for (const [what, make, message] of refusals) {
    it(`refuses ${what} with a message naming the problem, and caches nothing`, async () => {
      const dir = await make(path.join(work, 'x'));
      await expect(store.importFrom(dir)).rejects.toThrow(message);
      expect((await store.list()).filter((m) => m.installed)).toEqual([]);
      expect((await readdir(path.join(userData, 'models')).catch(() => [])).filter((n) => n !== '')).toEqual([]);
    });
  }

  it('wraps refusals for the host: HostResult with “Cannot import this model: …”', async () => {
    const host = new HostServices(userData, { baseUrl: 'http://127.0.0.1:9/' });
    const r = await host.importModelFrom(path.join(work, 'nowhere'));
    expect(r).toEqual({ ok: false, error: 'Cannot import this model: the folder “nowhere” does not exist.' });
  });
});

describe('model.json inspection', () => {
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const manifest = [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [3, 3, 3, 8], dtype: 'float32' }] }];
  const dim = (...s: number[]) => ({ dim: s.map((size) => ({ size: String(size) })) });

  it('reads a graph model input from its signature or its Placeholder', () => {
    const viaSig = inspectModelJson(enc({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: manifest, signature: { inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: dim(-1, 192, 192, 3) } } } }));
    expect(viaSig).toMatchObject({ format: 'graph-model', inputHeight: 192, inputWidth: 192 });
    const viaNode = inspectModelJson(enc({ format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder', attr: { shape: { shape: dim(-1, -1, -1, 3) } } }] }, weightsManifest: manifest }));
    expect(viaNode).toMatchObject({ inputHeight: null, inputWidth: null });
    expect(() => inspectModelJson(enc({ format: 'graph-model', modelTopology: { node: [{ name: 'ids', op: 'Placeholder', attr: { shape: { shape: dim(-1, 128) } } }] }, weightsManifest: manifest }))).toThrow(
      'input has shape [null, 128]',
    );
  });

  it('sizes weights by their stored (quantized) dtype', () => {
    expect(weightByteSize({ name: 'a', shape: [3, 3, 3, 8], dtype: 'float32' })).toBe(864);
    expect(weightByteSize({ name: 'a', shape: [3, 3, 3, 8], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } })).toBe(216);
    expect(weightByteSize({ name: 'a', shape: [10], dtype: 'float32', quantization: { dtype: 'float16' } })).toBe(20);
    expect(weightByteSize({ name: 'a', shape: [], dtype: 'int32' })).toBe(4);
    expect(() => weightByteSize({ name: 's', shape: [2], dtype: 'string' })).toThrow('dtype “string”');
  });
});

describe('modelFileForUrl', () => {
  const ud = path.join(path.sep, 'data', 'ud');
  it('resolves files inside a model folder only', () => {
    expect(modelFileForUrl(ud, 'mobilenet_v1_0.75_224', 'model.json')).toBe(path.join(ud, 'models', 'mobilenet_v1_0.75_224', 'model.json'));
    expect(modelFileForUrl(ud, 'imported-x', 'group1-shard1of1')).toBe(path.join(ud, 'models', 'imported-x', 'group1-shard1of1'));
    expect(modelFileForUrlPath(ud, '/models/imported-x/group1-shard1of1')).toBe(path.join(ud, 'models', 'imported-x', 'group1-shard1of1'));
  });
  const attacks: [string, string][] = [
    ['..', 'settings.json'],
    ['mobilenet_v1_0.75_224', '../settings.json'],
    ['mobilenet_v1_0.75_224', '..'],
    ['mobilenet_v1_0.75_224', '.'],
    ['.', 'model.json'],
    ['a/../..', 'x'],
    ['mobilenet_v1_0.75_224', '/etc/passwd'],
    ['mobilenet_v1_0.75_224', 'sub/model.json'],
    ['mobilenet_v1_0.75_224', '..\\..\\settings.json'],
    ['.partial-mobilenet-abc', 'model.json'],
    ['mobilenet_v1_0.75_224', 'model.json\0.png'],
    ['', 'model.json'],
    ['mobilenet_v1_0.75_224', ''],
  ];
  for (const [id, file] of attacks) {
    it(`refuses id ${JSON.stringify(id)} file ${JSON.stringify(file)}`, () => {
      expect(modelFileForUrl(ud, id, file)).toBeNull();
    });
  }
  it('refuses encoded traversal in URL paths', () => {
    for (const p of ['/models/..%2F..%2Fsettings.json/x', '/models/m/..%2Fsettings.json', '/models/%2e%2e/settings.json', '/models/m/%E0%A4%A', '/models/m', '/other/m/model.json']) {
      expect(modelFileForUrlPath(ud, p), p).toBeNull();
    }
  });
});

describe('onirique models (CLI)', () => {
  it('imports then lists as JSON', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const dir = path.join(work, 'cli-model');
      const m = tinyImageModel();
      await saveTfjsFolder(m, dir);
      m.dispose();
      // 1000 names for a 3-class model are refused, naming the file; three names are taken.
      await expect(modelsCommand(['import', dir, '--user-data', userData, '--labels', path.join(sharedMobilenet, 'imagenet_labels.json')])).rejects.toThrow(
        '--labels imagenet_labels.json has 1000 class names but the model scores 3 classes.',
      );
      const labelsFile = path.join(work, 'colours.txt');
      await writeFile(labelsFile, 'red\ngreen\nblue\n');
      expect(await modelsCommand(['import', dir, '--user-data', userData, '--labels', labelsFile, '--range', '0..1'])).toBe(0);
      expect(String(log.mock.calls.at(-1)?.[0])).toMatch(/^imported imported-cli-model \(layers-model, input 16, range 0\.\.1, 3 labels from --labels colours\.txt\) into /);
      expect(await modelsCommand(['list', '--json', '--user-data', userData])).toBe(0);
      const listed = JSON.parse(String(log.mock.calls.at(-1)?.[0])) as { id: string; installed: boolean; labels: number | null }[];
      expect(listed.map((e) => [e.id, e.installed, e.labels])).toEqual([
        ['mobilenet_v1_0.75_224', false, 1000],
        ['imported-cli-model', true, 3],
      ]);
      await expect(modelsCommand(['import', dir, '--user-data', userData, '--range', '0..255'])).rejects.toThrow('--range must be -1..1 or 0..1');
    } finally {
      log.mockRestore();
    }
  });
});
