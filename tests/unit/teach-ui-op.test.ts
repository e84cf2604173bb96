/**
 * The Teach panel's worker pipeline on a tiny network and synthetic photos: the epoch curves ride
 * on progress, the features are cached between runs, the folder it returns is a LayersModel that
 * reloads and separates the classes, and the model store takes it in (labels and provenance kept).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/core/image';
import type { JobProgress } from '../../src/core/job';
import { clearFeatureCache, teachOnPhotos, TEACH_PROVENANCE_FILE, type TeachBase } from '../../src/teach/compute/teach-pipeline';
import { epochFromMetrics } from '../../src/teach/ui/teach-logic';
import { ModelStore } from '../../src/services/model-store';
import { useBackend } from './net-fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'onirique-teach-ui-'));
let base: tf.LayersModel;
const info: TeachBase = { url: 'memory://tiny', id: 'tiny', name: 'tiny', sha256: null, range: '-1..1' };

/** A 40x30 photo: mostly `tint` with a little seeded noise. */
function photo(tint: [number, number, number], seed: number): RgbaImage {
  const data = new Uint8ClampedArray(40 * 30 * 4);
  let s = seed;
  for (let i = 0; i < 40 * 30; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    for (let c = 0; c < 3; c++) data[i * 4 + c] = tint[c]! + ((s >> (8 + c)) % 40) - 20;
    data[i * 4 + 3] = 255;
  }
  return { width: 40, height: 30, data };
}

const photos = [...Array.from({ length: 6 }, (_, i) => photo([200, 40, 40], i + 1)), ...Array.from({ length: 6 }, (_, i) => photo([40, 60, 200], i + 11))];
const labels = photos.map((_, i) => (i < 6 ? 0 : 1));
const request = {
  classes: ['reds', 'blues'],
  photos,
  labels,
  photoKeys: photos.map((_, i) => `p${i}`),
  layer: 'auto',
  valFraction: 0.34,
  augment: { flip: true, crop: false, jitter: false, views: 2 },
  head: { epochs: 30, learningRate: 0.1, patience: 0, seed: 3 },
};

beforeAll(async () => {
  await useBackend('cpu');
  const input = tf.input({ shape: [32, 32, 3], name: 'input' });
  const c1 = tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'conv1', seed: 1 } as Parameters<typeof tf.layers.conv2d>[0]).apply(input) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv2' }).apply(c1) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(c2) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 3, name: 'logits' }).apply(pooled) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(logits) as tf.SymbolicTensor;
  base = tf.model({ inputs: input, outputs: probs });
});
afterAll(() => {
  base?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('teachOnPhotos (the teach op)', () => {
  it('reports every epoch on progress, then a folder that reloads as a model separating the classes', async () => {
    clearFeatureCache();
    const epochs: number[] = [];
    const progress: JobProgress[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const out = await teachOnPhotos(base, info, request, { onProgress: (p) => (progress.push(p), epochFromMetrics(p.metrics) && epochs.push(epochFromMetrics(p.metrics)!.epoch)) });
    expect(epochs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(out.history.map((e) => e.epoch)).toEqual(epochs);
    expect(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1]!.fraction)).toBe(true);
    expect(out.featuresCached).toBe(false);
    expect(out.valPhotos).toBe(4);
    expect(out.evalPhotos).toHaveLength(4);
    expect(out.confusion.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(out.valAccuracy).toBe(1);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const names = out.files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['model.json', 'labels.json', TEACH_PROVENANCE_FILE]));
    const file = (n: string) => out.files.find((f) => f.name === n)!.bytes;
    expect(createHash('sha256').update(file('model.json')).digest('hex')).toBe(out.modelSha256);
    const provenance = JSON.parse(new TextDecoder().decode(file(TEACH_PROVENANCE_FILE))) as Record<string, unknown>;
    expect(provenance).toMatchObject({ classes: ['reds', 'blues'], modelJsonSha256: out.modelSha256, base: { id: 'tiny' } });

    const json = JSON.parse(new TextDecoder().decode(file('model.json'))) as { modelTopology: tf.io.ModelArtifacts['modelTopology']; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
    const shards = json.weightsManifest[0]!.paths.map((p) => file(p));
    const weightData = new Uint8Array(shards.reduce((a, s) => a + s.byteLength, 0));
    shards.reduce((o, s) => (weightData.set(s, o), o + s.byteLength), 0);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: weightData.buffer }));
    const x = tf.tidy(() => tf.sub(tf.div(tf.image.resizeBilinear(tf.stack(photos.map((p) => tf.browser.fromPixels({ data: new Uint8Array(p.data.buffer), width: p.width, height: p.height }))) as tf.Tensor4D, [32, 32]), 127.5), 1));
    const pred = reloaded.predict(x) as tf.Tensor;
    const classes = Array.from(await pred.argMax(1).data());
    tf.dispose([x, pred]);
    reloaded.dispose();
    expect(classes).toEqual(labels);
  });

  it('reuses the cached features when photos, layer and augmentation are the same, and recomputes otherwise', async () => {
    const again = await teachOnPhotos(base, info, request);
    expect(again.featuresCached).toBe(true);
    const other = await teachOnPhotos(base, info, { ...request, augment: { flip: false, crop: false, jitter: false, views: 1 } });
    expect(other.featuresCached).toBe(false);
  });

  it('is taken in by the model store from bytes, with its class names and its provenance file', async () => {
    const out = await teachOnPhotos(base, info, request);
    const store = new ModelStore(path.join(root, 'user'), { catalog: [] });
    const entry = await store.importFiles(out.files, { name: 'Reds and blues' });
    expect(entry).toMatchObject({ name: 'Reds and blues', installed: true, labels: ['reds', 'blues'], sha256: out.modelSha256, source: 'imported' });
    expect((await store.list()).map((e) => e.id)).toContain(entry.id);
    const kept = JSON.parse(readFileSync(path.join(store.root, entry.id, TEACH_PROVENANCE_FILE), 'utf8')) as { modelJsonSha256: string };
    expect(kept.modelJsonSha256).toBe(out.modelSha256);
    await expect(store.importFiles([{ name: '../model.json', bytes: new Uint8Array(2) }])).rejects.toThrow(/model\.json|file name/);
  });
});
