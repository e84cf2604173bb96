/**
 * Labels travel with the model: found in each folder layout (and the Teach provenance file), taken
 * from the catalog when model.json is a catalog model's, and said where they came from; the model
 * list is live: a change event fires when another HostServices (the CLI) imports into the same cache.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readModelDir } from '../../src/cli/model-files';
import { HostServices } from '../../src/services/host-services';
import { ModelStore } from '../../src/services/model-store';
import { sharedMobilenet } from './model-store-server';

let work: string;
let userData: string;

beforeAll(async () => {
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to start');
  await tf.ready();
});
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'onirique-labels-'));
  userData = path.join(work, 'user-data');
});
afterEach(() => rm(work, { recursive: true, force: true }));

/** A 3-class 16x16 image classifier saved as model.json plus one shard. */
async function tinyFolder(dir: string): Promise<string> {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  await mkdir(dir, { recursive: true });
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      const json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      await writeFile(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  m.dispose();
  return dir;
}

const names = ['cat', 'dog', 'fox'];
const layouts: [string, string, string, string][] = [
  ['labels.json (a list)', 'labels.json', JSON.stringify(names), 'labels.json'],
  ['labels.json ({labels})', 'labels.json', JSON.stringify({ labels: names }), 'labels.json'],
  ['imagenet_labels.json', 'imagenet_labels.json', JSON.stringify(names), 'imagenet_labels.json'],
  ['metadata.json “labels”', 'metadata.json', JSON.stringify({ labels: names, imageSize: 16 }), 'metadata.json'],
  ['labels.txt, one per line', 'labels.txt', 'cat\r\ndog\n\nfox\n', 'labels.txt'],
  ['onirique-model.json “classes” (Teach)', 'onirique-model.json', JSON.stringify({ format: 'onirique-teach/1', classes: names, inputSize: 16, range: '0..1' }), 'onirique-model.json'],
];

describe('labels found in the folder', () => {
  it.each(layouts)('%s: import and CLI --model both find them and say where', async (_what, file, text, source) => {
    const dir = await tinyFolder(path.join(work, 'tiny'));
    await writeFile(path.join(dir, file), text);
    const entry = await new ModelStore(userData).importFrom(dir);
    expect(entry).toMatchObject({ labels: names, labelsSource: source });
    // The cached copy keeps them (and where they came from) for every later listing.
    expect((await new ModelStore(userData).get(entry.id))?.labelsSource).toBe(source);
    const files = await readModelDir(dir);
    expect([files.labels, files.labelsSource]).toEqual([names, source]);
    if (file === 'onirique-model.json') expect(entry.range).toBe('0..1');
  });

  it('refuses a labels.txt that is a symlink (it could name any file on the disk)', async () => {
    const dir = await tinyFolder(path.join(work, 'tiny'));
    await symlink('/etc/passwd', path.join(dir, 'labels.txt'));
    await expect(new ModelStore(userData).importFrom(dir)).rejects.toThrow('“labels.txt” is a symbolic link');
    expect(await readdir(path.join(userData, 'models')).catch(() => [])).toEqual([]);
  });

  it('refuses labels whose count differs from the classes, naming the file', async () => {
    const dir = await tinyFolder(path.join(work, 'tiny'));
    await writeFile(path.join(dir, 'labels.txt'), 'cat\ndog\n');
    await expect(new ModelStore(userData).importFrom(dir)).rejects.toThrow('labels.txt has 2 class names but the model scores 3 classes.');
  });
});

describe('labels from the catalog', () => {
  it('a folder whose model.json is the catalog MobileNet gets the catalog labels (no labels file needed)', async () => {
    const dir = path.join(work, 'mobilenet');
    await mkdir(dir);
    for (const f of await readdir(sharedMobilenet)) if (f !== 'imagenet_labels.json' && f !== 'SOURCE.md') await copyFile(path.join(sharedMobilenet, f), path.join(dir, f));
    const entry = await new ModelStore(userData).importFrom(dir);
    expect(entry.labels).toHaveLength(1000);
    expect(entry.labels?.[285]).toBe('Egyptian cat');
    expect(entry.labelsSource).toBe('catalog (MobileNet v1 0.75 (224, ImageNet))');
  });
});

describe('the live model list', () => {
  it('fires when another HostServices on the same user data (the CLI) imports, then removes, a model', async () => {
    const app = new HostServices(userData);
    await app.init();
    const changed = vi.fn();
    const stop = app.onModelsChanged(changed);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const cli = new HostServices(userData);
      const dir = await tinyFolder(path.join(work, 'tiny'));
      await writeFile(path.join(dir, 'labels.txt'), names.join('\n'));
      const r = await cli.importModelFrom(dir);
      expect(r.ok).toBe(true);
      await vi.waitFor(() => expect(changed).toHaveBeenCalledTimes(1), { timeout: 3000 });
      expect((await app.listModels()).find((m) => m.source === 'imported')?.labels).toEqual(names);
      await cli.models.remove(r.ok ? r.value.id : '');
      await vi.waitFor(() => expect(changed).toHaveBeenCalledTimes(2), { timeout: 3000 });
    } finally {
      stop();
    }
    // Unsubscribed: a later import fires nothing.
    await new HostServices(userData).importModelFrom(await tinyFolder(path.join(work, 'tiny2')));
    await new Promise((r) => setTimeout(r, 400));
    expect(changed).toHaveBeenCalledTimes(2);
  });
});
