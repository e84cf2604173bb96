/** The new CAM methods' plumbing: Score-CAM masks on the CAM's half-pixel grid, no tensor leaks, Cancel within a batch, the eps and eigen options. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { AbortError } from '../../src/core/job';
import type { PlainNet } from '../../src/core/net/plain-net';
import { resampleMapCv2, resampleMatrix } from '../../src/core/resample';
import { camGrid, type CamGridOptions } from '../../src/explain/compute/cam-core';
import { scoreCamMasks } from '../../src/explain/compute/cam-perchannel';
import { firstPrincipalProjection } from '../../src/explain/compute/eigen';
import { explainCam } from '../../src/explain/compute/explain';
import { camMethods } from '../../src/explain/compute/explain-options';
import { maxAbsDiff, modelDir, readPhoto, useBackend } from './net-fixtures';
import { pearson } from './explain-methods-fixtures';

let net: PlainNet;
beforeAll(async () => {
  await useBackend('wasm');
  ({ net } = await loadPlainNetFromDir(modelDir));
});
afterAll(() => net.dispose());

const minMax01 = (v: Float32Array) => {
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return v.map((a) => (a - lo) / (hi - lo + 1e-8));
};

describe('Score-CAM masks', () => {
  it('sit on the half-pixel grid of the CAM upsampler (the legacy tf.image.resizeBilinear is 15.5 px off)', async () => {
    const h = 7;
    const act = tf.randomUniform([1, h, h, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
    const v = await act.data();
    const masks = scoreCamMasks(act, [1, 3], 224, 224);
    expect(masks.shape).toEqual([2, 224, 224, 1]);
    const m = await masks.data();
    const legacy = tf.tidy(() => tf.image.resizeBilinear(tf.gather(act, [1], 3) as tf.Tensor4D, [224, 224]));
    const lg = minMax01(Float32Array.from(await legacy.data()));
    for (const [b, c] of [1, 3].entries()) {
      const ch = Float32Array.from({ length: h * h }, (_, i) => v[i * 4 + c]!);
      const want = minMax01(resampleMapCv2(ch, h, h, 224, 224));
      expect(maxAbsDiff(m.subarray(b * 224 * 224, (b + 1) * 224 * 224), want)).toBeLessThan(1e-5);
      if (b === 0) expect(maxAbsDiff(lg, want)).toBeGreaterThan(0.05); // so this test fails with the legacy resize
    }
    tf.dispose([act, masks, legacy]);
  });

  it('align the corners on request (torch UpsamplingBilinear2d, pytorch-grad-cam)', async () => {
    const v = Float32Array.from({ length: 49 }, (_, i) => (i * 37) % 11);
    const act = tf.tensor4d(v, [1, 7, 7, 1]);
    const masks = scoreCamMasks(act, [0], 224, 224, 'align-corners');
    const m = await masks.data();
    // Output sample o reads the source at o·6/223: the end samples sit exactly on the end cells.
    const at = (o: number): [number, number] => {
      const c = (o * 6) / 223;
      const c0 = Math.min(5, Math.floor(c));
      return [c0, c - c0];
    };
    const want = new Float32Array(224 * 224);
    for (let y = 0; y < 224; y++)
      for (let x = 0; x < 224; x++) {
        const [y0, fy] = at(y);
        const [x0, fx] = at(x);
        const p = (yy: number, xx: number) => v[yy * 7 + xx]!;
        want[y * 224 + x] = (1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x0 + 1)) + fy * ((1 - fx) * p(y0 + 1, x0) + fx * p(y0 + 1, x0 + 1));
      }
    expect(maxAbsDiff(m, minMax01(want))).toBeLessThan(1e-5);
    expect(m[0]).toBeCloseTo(minMax01(want)[0]!, 6);
    tf.dispose([act, masks]);
  });

  it('resampleMatrix half-pixel rows are resampleMapCv2 exactly', () => {
    const map = Float32Array.from({ length: 14 }, (_, i) => Math.sin(i));
    const r = resampleMatrix(14, 224);
    const up = resampleMapCv2(map, 14, 1, 224, 1);
    const viaMatrix = Float32Array.from({ length: 224 }, (_, o) => map.reduce((s, a, j) => s + a * r[o * 14 + j]!, 0));
    expect(maxAbsDiff(viaMatrix, up)).toBeLessThan(1e-6);
  });
});

describe('new methods', () => {
  it('leave no tensors behind after a warm-up run (camGrid and explainCam, eigen smoothing too)', async () => {
    const photo = await readPhoto('chelsea.png');
    const x = net.fromRgbFloat(new Float32Array(224 * 224 * 3).fill(100), 224, 224);
    const opts = (method: CamGridOptions['method'], eigenSmooth = false): CamGridOptions => ({ method, layer: 'conv_pw_13_relu', classIndex: 285, scoreCamChannels: 8, scoreCamBatch: 8, eigenSmooth });
    const methods = camMethods.filter((m) => m !== 'guided') as CamGridOptions['method'][];
    const everything = async (check: (label: string) => void) => {
      for (const m of methods) {
        await camGrid(net, x, opts(m));
        await camGrid(net, x, opts(m, true));
        check(m);
      }
      for (const method of ['xgradcam', 'layercam', 'eigencam', 'ablationcam', 'guided'] as const) {
        await explainCam(net, photo, { method, smooth: true, eigenSmooth: true });
        check(`explainCam ${method}`);
      }
    };
    await everything(() => undefined); // warm-up: one-time backend state (kernels, per-shape caches)
    const before = tf.memory().numTensors;
    await everything((label) => expect(tf.memory().numTensors, label).toBe(before));
    x.dispose();
  });

  it('Ablation-CAM and all-channel Score-CAM report progress and stop within one batch when cancelled', async () => {
    const photo = await readPhoto('coffee.png');
    for (const method of ['ablationcam', 'scorecam'] as const) {
      const controller = new AbortController();
      const fractions: number[] = [];
      const before = tf.memory().numTensors;
      const run = explainCam(net, photo, { method, scoreCamChannels: 0, scoreCamBatch: 8 }, {
        signal: controller.signal,
        onProgress: (p) => {
          fractions.push(p.fraction);
          controller.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(AbortError);
      // All 768 channels of conv_pw_13_relu in batches of 8 (Score-CAM) or 32 (Ablation-CAM): one batch ran.
      expect(fractions).toEqual([method === 'scorecam' ? 8 / 768 : 32 / 768]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('Grad-CAM++ eps is used (0 = the old swap of zero denominators for 1) and eigen smoothing changes the map', async () => {
    const x = net.fromRgbFloat(Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => (i * 7919) % 256), 224, 224);
    const base = { layer: 'conv_pw_11_relu', classIndex: 1, scoreCamChannels: 0, scoreCamBatch: 1 } as const;
    const a = await camGrid(net, x, { ...base, method: 'gradcam++' });
    const b = await camGrid(net, x, { ...base, method: 'gradcam++', gradCamPlusPlusEps: 0 });
    const c = await camGrid(net, x, { ...base, method: 'gradcam++', gradCamPlusPlusEps: 1e3 });
    expect(pearson(a.data, b.data)).toBeGreaterThan(0.99);
    expect(maxAbsDiff(a.data, c.data)).toBeGreaterThan(0);
    const plain = await camGrid(net, x, { ...base, method: 'layercam' });
    const eig = await camGrid(net, x, { ...base, method: 'layercam', eigenSmooth: true });
    expect(maxAbsDiff(plain.data, eig.data)).toBeGreaterThan(0);
    x.dispose();
  });

  it('the principal projection is the first component of a known rank-1 + noise matrix, sign by loadings', () => {
    // Rows = positions: u_i · v + tiny noise; the projection must be ∝ u (centred), positive loadings.
    const n = 30;
    const k = 50;
    const u = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
    const x = new Float32Array(n * k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) x[i * k + j] = u[i]! * (1 + j / k) + 1e-4 * Math.sin(i * k + j);
    const p = firstPrincipalProjection(x, n, k);
    expect(pearson(p, u)).toBeGreaterThan(0.99999);
    const pt = firstPrincipalProjection(transpose(x, n, k), k, n); // the k > n path (Gram on channels)
    expect(pt.length).toBe(k);
  });
});

function transpose(x: Float32Array, n: number, k: number): Float32Array {
  const t = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) t[j * n + i] = x[i * k + j]!;
  return t;
}
