/** The worker's loadModel / classify / gradcam / featureMaps ops, called as the worker calls them. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModelDir } from '../../src/cli/model-files';
import { explainCam } from '../../src/explain/compute/explain';
import { classifyOp, featureMapsOp, gradcamOp } from '../../src/explain/compute/explain-ops';
import { AbortError } from '../../src/core/job';
import { getNet, loadModelOp, unloadModel } from '../../src/core/net/model-cache';
import { modelDir, readPhoto, useBackend } from './net-fixtures';

beforeAll(() => useBackend('wasm'));

describe('worker explain ops', () => {
  it('loads a model from bytes, classifies, colours a CAM, tiles feature maps, unloads without leaks', async () => {
    const before = tf.memory().numTensors;
    const files = await readModelDir(modelDir);
    const info = await loadModelOp({ id: 'm1', source: { modelJson: files.modelJson, weights: files.weightData }, labels: files.labels });
    expect(info).toMatchObject({ id: 'm1', inputSize: 224, numClasses: 1000, lastConvLayer: 'conv_pw_13_relu', backend: 'wasm' });
    expect(info.layers.some((l) => l.name === 'conv_pw_9_relu' && l.shape.join('x') === '14x14x384')).toBe(true);
    const image = await readPhoto('coffee.png');
    expect((await classifyOp({ modelId: 'm1', image })).top[0]).toMatchObject({ index: 967, label: 'espresso' });
    const r = await gradcamOp({ modelId: 'm1', image, overlay: { colormap: 'turbo', alpha: 0.6 } });
    expect(r.overlay?.data.length).toBe(image.width * image.height * 4);
    const f = await featureMapsOp({ modelId: 'm1', image, options: { layer: 'conv_pw_1_relu', maxChannels: 4 } });
    expect(f.tile).toEqual([112, 112]);
    await expect(classifyOp({ modelId: 'nope', image })).rejects.toThrow(/not loaded/);
    expect(unloadModel('m1')).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Score-CAM reports progress between batches and stops when cancelled', async () => {
    const files = await readModelDir(modelDir);
    await loadModelOp({ id: 'm2', source: { modelJson: files.modelJson, weights: files.weightData } });
    const net = getNet('m2')!;
    const image = await readPhoto('chelsea.png');
    const controller = new AbortController();
    const fractions: number[] = [];
    await explainCam(net, image, { method: 'scorecam', scoreCamChannels: 8, scoreCamBatch: 8 }); // warm-up: one-time backend state
    const before = tf.memory().numTensors;
    const run = explainCam(net, image, { method: 'scorecam', scoreCamChannels: 64, scoreCamBatch: 8 }, {
      signal: controller.signal,
      onProgress: (p) => {
        fractions.push(p.fraction);
        if (fractions.length === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(fractions).toEqual([0.125, 0.25]);
    expect(tf.memory().numTensors).toBe(before);
    unloadModel('m2');
  });
});
