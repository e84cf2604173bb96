/**
 * The WebGPU path in Node (Dawn through the optional `webgpu` package): filter, classify, every CAM
 * method and one dream step give what wasm gives. Runs on any adapter, SwiftShader's included (the
 * ICD that Debian's chromium ships); skips, saying why, where Dawn finds none.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { initNodeBackend } from '../../src/cli/node-backend';
import { nodeGpuAdapter } from '../../src/cli/node-webgpu';
import { crop, type RgbaImage } from '../../src/core/image';
import type { PlainNet } from '../../src/core/net/plain-net';
import { dream } from '../../src/dream/compute/dream';
import { dreamNetFromPlain } from '../../src/dream/compute/plain-net-dream';
import { classifyImage, explainCam, type CamResult } from '../../src/explain/compute/explain';
import { camMethods } from '../../src/explain/compute/explain-options';
import { applyFilter } from '../../src/filter/compute/convolve';
import { pearson } from './explain-methods-fixtures';
import { maxAbsDiff, modelDir, readPhoto, useBackend } from './net-fixtures';

const swiftshaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json';
// Where no ICD is configured, use the software one chromium ships (hardware drivers are found by the loader itself).
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(swiftshaderIcd)) process.env.VK_ICD_FILENAMES = swiftshaderIcd;
const adapter = await nodeGpuAdapter();
const skipReason = adapter ? '' : `no WebGPU adapter from Dawn (is ${swiftshaderIcd} or a GPU's Vulkan driver there, and the optional "webgpu" package installed?)`;
if (skipReason) console.warn(`webgpu-node.test.ts skipped: ${skipReason}`);

/** Runs `work` on wasm then on webgpu, each with its own copy of the net (tensors never cross backends). */
async function onBoth<T>(work: (net: PlainNet) => Promise<T>): Promise<{ wasm: T; webgpu: T }> {
  const out: Partial<Record<'wasm' | 'webgpu', T>> = {};
  for (const b of ['wasm', 'webgpu'] as const) {
    if (b === 'wasm') await useBackend('wasm');
    else expect(await initNodeBackend('webgpu')).toBe('webgpu');
    const { net } = await loadPlainNetFromDir(modelDir);
    try {
      out[b] = await work(net);
    } finally {
      net.dispose();
    }
  }
  return { wasm: out.wasm!, webgpu: out.webgpu! };
}

const meanAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

describe.skipIf(!adapter)(`webgpu ${adapter ? `on ${adapter.name}` : `(skipped: ${skipReason})`} equals wasm`, () => {
  let photo: RgbaImage;
  beforeAll(async () => {
    photo = await readPhoto('coffee.png');
  });
  afterAll(async () => {
    await useBackend('wasm');
  });

  it('on the 3x3 article filter', async () => {
    const { wasm, webgpu } = await onBoth(() => applyFilter(photo, {}));
    expect(tf.getBackend()).toBe('webgpu');
    // 8-bit output: float rounding may tip a pixel by one level, never more.
    expect(maxAbsDiff(wasm.data, webgpu.data)).toBeLessThanOrEqual(1);
    expect(wasm.data.some((v, i) => v !== photo.data[i])).toBe(true); // the filter did something
  }, 300_000);

  it('on classify (same top-5, probabilities within 1e-3)', async () => {
    const { wasm, webgpu } = await onBoth((net) => classifyImage(net, photo));
    expect(webgpu.top.map((c) => c.index)).toEqual(wasm.top.map((c) => c.index));
    expect(wasm.top[0]!.index).toBe(967); // espresso
    for (const [i, c] of webgpu.top.entries()) expect(Math.abs(c.prob - wasm.top[i]!.prob)).toBeLessThan(1e-3);
  }, 300_000);

  // Ablation-CAM ablates every channel of the layer (768 forward passes, most of 450 s on SwiftShader):
  // it runs with ONIRIQUE_WEBGPU_FULL=1; every other method runs in npm test.
  const methods = process.env.ONIRIQUE_WEBGPU_FULL ? camMethods : camMethods.filter((m) => m !== 'ablationcam');
  it(`on every CAM method${process.env.ONIRIQUE_WEBGPU_FULL ? '' : ' but Ablation-CAM (ONIRIQUE_WEBGPU_FULL=1 adds it)'}`, async () => {
    // Per-channel methods on 4 channels: the same code path as 128, at a thirty-second of the passes.
    const run = async (net: PlainNet) => {
      const out: Record<string, CamResult> = {};
      for (const method of methods) out[method] = await explainCam(net, photo, { method, classIndex: 967, scoreCamChannels: 4, scoreCamBatch: 4 });
      return out;
    };
    const { wasm, webgpu } = await onBoth(run);
    for (const method of methods) {
      const a = wasm[method]!;
      const b = webgpu[method]!;
      expect(b.classIndex, method).toBe(a.classIndex);
      expect(pearson(a.heat, b.heat), method).toBeGreaterThan(0.999);
      expect(maxAbsDiff(a.heat, b.heat), method).toBeLessThan(0.03);
      if (method === 'guided') expect(meanAbsDiff(a.guided!.data, b.guided!.data), method).toBeLessThan(1);
    }
  }, 600_000);

  it('on one dream step', async () => {
    const tile = crop(photo, { x: 0, y: 0, w: 224, h: 224 });
    const opts = { steps: 1, octaves: 1, jitter: 0, seed: 3 };
    const { wasm, webgpu } = await onBoth(async (net) => (await dream(tile, null, opts, dreamNetFromPlain(net))).image);
    expect(meanAbsDiff(wasm.data, tile.data)).toBeGreaterThan(0.2); // the step changed the picture
    // Gradients differ in float rounding only (webgpu: native backprop kernels; wasm: forward-ops).
    expect(maxAbsDiff(wasm.data, webgpu.data)).toBeLessThanOrEqual(3);
    expect(meanAbsDiff(wasm.data, webgpu.data)).toBeLessThan(0.1);
  }, 300_000);
});
