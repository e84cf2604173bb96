/**
 * Deep Dream on the real MobileNet v1 0.75 (../shared/models) and real photos, wasm backend:
 * the objective climbs, masks hold, tiles match the whole image without seams, seeds reproduce,
 * Cancel leaves the input intact, and no tensor leaks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlainNetFromDir, readModelDir } from '../../src/cli/model-files';
import { dream } from '../../src/dream/compute/dream';
import { dreamOp } from '../../src/dream/compute/dream-op';
import { resolveDreamOptions } from '../../src/dream/compute/dream-options';
import { type OctaveImage, planTiles, tiledGradient } from '../../src/dream/compute/gradient';
import { buildObjective, type DreamNet } from '../../src/dream/compute/objective';
import { dreamNetFromPlain } from '../../src/dream/compute/plain-net-dream';
import { resamplePilBilinear } from '../../src/core/resample';
import { AbortError } from '../../src/core/job';
import { loadModelOp, unloadModel } from '../../src/core/net/model-cache';
import type { PlainNet } from '../../src/core/net/plain-net';
import type { RgbaImage } from '../../src/core/image';
import { maxDiff, meanActivation, modelDir, photo, repoRoot, useWasm } from './dream-fixtures';

const LAYER = 'conv_pw_9_relu';
let plain: PlainNet;
let net: DreamNet;

beforeAll(async () => {
  await useWasm();
  plain = (await loadPlainNetFromDir(modelDir)).net;
  net = dreamNetFromPlain(plain);
});
afterAll(() => plain.dispose());

/** Mean |a - b| over RGB values. */
function meanAbs(a: RgbaImage, b: RgbaImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) if (i % 4 !== 3) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / (a.width * a.height * 3);
}

describe('objective', () => {
  it('one step equals a PyTorch rebuild of the same weights (independent reference)', async () => {
    const img = await photo('chelsea.png', 160, 120);
    const dir = mkdtempSync(join(tmpdir(), 'dream-torch-'));
    writeFileSync(join(dir, 'in.raw'), img.data);
    const r = spawnSync('/usr/bin/python3', [join(repoRoot, 'scripts', 'bench', 'dream-torch.py'), 'step', modelDir, join(dir, 'in.raw'), '160', '120', LAYER, '0.05', join(dir, 'out.f32')], {
      encoding: 'utf8',
      env: { ...process.env, DREAM_TORCH_THREADS: '1' },
    });
    if (r.status !== 0) throw new Error(`/usr/bin/python3 with torch is required: ${r.error?.message ?? r.stderr}`);
    const b = readFileSync(join(dir, 'out.f32'));
    const ref = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    // Full resolution (pattern size 1): the reference dreams at the photo's own size.
    const ours = await dream(img, null, { octaves: 1, steps: 1, jitter: 0, stepSize: 0.05, tile: 1024, previewSize: 0, patternSize: 1 }, net);
    let worst = 0;
    let change = 0;
    let off = 0;
    for (let p = 0; p < 160 * 120; p++) {
      for (let c = 0; c < 3; c++) {
        const t = Math.min(255, Math.max(0, Math.round((ref[p * 3 + c]! + 1) * 127.5)));
        const d = Math.abs(ours.image.data[p * 4 + c]! - t);
        worst = Math.max(worst, d);
        if (d > 1) off++;
        change += Math.abs(t - img.data[p * 4 + c]!);
      }
    }
    expect(change / (160 * 120 * 3)).toBeGreaterThan(3);
    // Rounding ties and float32 summation order leave a few values a level or two apart.
    expect(off).toBeLessThan(160 * 120 * 3 * 0.001);
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('the layer mean rises at every octave, and on the final photo', async () => {
    const img = await photo('chelsea.png', 224, 160);
    const r = await dream(img, null, { layers: [{ name: LAYER, weight: 1 }], octaves: 3, steps: 2, jitter: 16, measure: true, previewSize: 0 }, net);
    expect(r.octaves.map((o) => `${o.width}x${o.height}`)).toEqual(['114x82', '160x114', '224x160']);
    for (const o of r.octaves) expect(o.after).toBeGreaterThan(o.before * 1.01);
    // Independent of the engine's own bookkeeping: the network on the 8-bit result.
    expect(meanActivation(net, r.image, LAYER)).toBeGreaterThan(meanActivation(net, img, LAYER) * 1.02);
  });

  it('a channel subset and a class logit climb too', async () => {
    const img = await photo('coffee.png', 128, 96);
    const ch = [3, 17];
    const r = await dream(img, null, { layers: [{ name: LAYER, weight: 1, channels: ch }], octaves: 1, steps: 3, previewSize: 0 }, net);
    const chanMean = (im: RgbaImage) =>
      tf.tidy(() => {
        const x = plain.preprocess(im);
        const a = plain.forward(x, [LAYER])[0]!;
        return tf.mean(tf.gather(a, ch, 3)).dataSync()[0]!;
      });
    expect(chanMean(r.image)).toBeGreaterThan(chanMean(img) * 1.05);
    const cls = 504; // "coffee mug": not the top class, so there is room to climb.
    const logit = (im: RgbaImage) => tf.tidy(() => plain.forward(plain.preprocess(im), ['logits'])[0]!.dataSync()[cls]!);
    const r2 = await dream(img, null, { layers: [], classIndex: cls, octaves: 1, steps: 3, jitter: 0, previewSize: 0 }, net);
    expect(logit(r2.image)).toBeGreaterThan(logit(img) + 0.5);
  });
});

describe('mask', () => {
  it('pixels outside the mask keep their value, inside they change', async () => {
    const img = await photo('coffee.png', 192, 128);
    const m = new Float32Array(192 * 128);
    for (let y = 32; y < 96; y++) for (let x = 48; x < 144; x++) m[y * 192 + x] = 1;
    const r = await dream(img, m, { octaves: 2, steps: 2, stepSize: 0.03, feather: 8, tile: 64, tileOverlap: 32, previewSize: 0 }, net);
    let outside = 0;
    let inside = 0;
    for (let p = 0; p < 192 * 128; p++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(r.image.data[p * 4 + c]! - img.data[p * 4 + c]!);
        const y = Math.floor(p / 192);
        const x = p % 192;
        if (m[p] === 0) outside = Math.max(outside, d);
        else if (y >= 40 && y < 88 && x >= 56 && x < 136) inside += d;
      }
    }
    expect(outside).toBeLessThanOrEqual(1);
    expect(inside / (48 * 80 * 3)).toBeGreaterThan(2);
    // Tiles whose core misses the mask are skipped: fewer network passes than unmasked.
    const full = await dream(img, null, { octaves: 2, steps: 2, tile: 64, tileOverlap: 32, previewSize: 0 }, net);
    expect(r.tiles).toBeLessThan(full.tiles);
  });
});

describe('tiles', () => {
  const W = 192;
  const H = 175;
  let img: RgbaImage;
  beforeAll(async () => {
    img = await photo('chelsea.png', W, H);
  });

  /** Gradient of the whole image and of tiles (fixed grid, so its borders are known). */
  async function gradients(overlap: number) {
    const data = resamplePilBilinear({ data: img.data, width: W, height: H, stride: 4 }, 3, W, H, 1 / 127.5, -1);
    const oct: OctaveImage = { data, width: W, height: H, cover: null };
    const objective = buildObjective(net, resolveDreamOptions({}), { octavePixels: W * H });
    const gf = tf.grad((x: tf.Tensor) => objective(x as tf.Tensor4D));
    const plan = { dy: 5, dx: -7, oy: 37, ox: 61 };
    const whole = new Float32Array(W * H * 3);
    const tiled = new Float32Array(W * H * 3);
    await tiledGradient(oct, gf, whole, { tile: 1024, overlap: 0, align: 32 }, plan, undefined);
    const params = { tile: 80, overlap, align: net.alignment ?? 32 };
    await tiledGradient(oct, gf, tiled, params, plan, undefined);
    // Tile borders in source columns (rolled column c is source column c - dx).
    const cols = new Set(planTiles(W, H, params, plan.oy, plan.ox).map((t) => t.core.x0).filter((x) => x > 0));
    return { whole, tiled, borders: [...cols].map((c) => (c - plan.dx + W) % W) };
  }

  /** Mean |g(x) - g(x-1)| over a column pair, all rows and channels. */
  function jump(g: Float32Array, x: number): number {
    let s = 0;
    for (let y = 0; y < H; y++) for (let c = 0; c < 3; c++) s += Math.abs(g[(y * W + x) * 3 + c]! - g[(y * W + x - 1) * 3 + c]!);
    return s / (H * 3);
  }

  function relErr(a: Float32Array, b: Float32Array): number {
    let e = 0;
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      e += (a[i]! - b[i]!) ** 2;
      n += b[i]! ** 2;
    }
    return Math.sqrt(e / n);
  }

  it('tiled gradients equal the whole-image gradient and leave no seam at tile borders', async () => {
    const { whole, tiled, borders } = await gradients(64);
    expect(borders.length).toBeGreaterThan(0);
    expect(relErr(tiled, whole)).toBeLessThan(0.08);
    let inside = 0;
    let k = 0;
    for (let x = 1; x < W; x++) {
      if (borders.includes(x)) continue;
      inside += jump(tiled, x);
      k++;
    }
    inside /= k;
    for (const b of borders) {
      expect(jump(tiled, b)).toBeLessThanOrEqual(1.15 * jump(whole, b));
      expect(jump(tiled, b)).toBeLessThanOrEqual(1.5 * inside);
    }
    // The check can fail: without overlap the tiles do not see their neighbours.
    const bare = await gradients(0);
    expect(relErr(bare.tiled, bare.whole)).toBeGreaterThan(0.3);
  });

  it('a tiled dream matches the untiled one', async () => {
    const o = { octaves: 2, steps: 2, stepSize: 0.03, jitter: 12, seed: 9, previewSize: 0 };
    const untiled = await dream(img, null, { ...o, tile: 512 }, net);
    const change = meanAbs(untiled.image, img);
    expect(change).toBeGreaterThan(2);
    // Overlap 96 covers most of conv_pw_9's receptive field (155 px): nearly exact.
    const wide = await dream(img, null, { ...o, tile: 80, tileOverlap: 96 }, net);
    expect(wide.tiles).toBeGreaterThan(untiled.tiles * 3);
    expect(meanAbs(wide.image, untiled.image)).toBeLessThan(0.05 * change);
    // The default overlap (64) trades a little accuracy for speed.
    const std = await dream(img, null, { ...o, tile: 80 }, net);
    expect(meanAbs(std.image, untiled.image)).toBeLessThan(0.15 * change);
  });
});

describe('runs', () => {
  it('same seed → same pixels; another seed → other pixels', async () => {
    const img = await photo('astronaut.png', 96, 96);
    const o = { octaves: 2, steps: 2, jitter: 16, previewSize: 0 };
    const a = await dream(img, null, { ...o, seed: 1 }, net);
    const b = await dream(img, null, { ...o, seed: 1 }, net);
    const c = await dream(img, null, { ...o, seed: 2 }, net);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(maxDiff(a.image, c.image)).toBeGreaterThan(0);
  });

  it('Cancel mid-run throws AbortError and leaves the input byte-identical', async () => {
    const img = await photo('rocket.jpg', 128, 96);
    const copy = new Uint8ClampedArray(img.data);
    const ac = new AbortController();
    let steps = 0;
    let previews = 0;
    const run = dream(img, null, { octaves: 2, steps: 3 }, net, {
      signal: ac.signal,
      onProgress: (p) => {
        steps++;
        if ((p as { preview?: RgbaImage }).preview) previews++;
        if (steps === 2) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(steps).toBe(2);
    expect(previews).toBe(2);
    expect(Buffer.from(img.data).equals(Buffer.from(copy))).toBe(true);
  });

  it('the worker op finds the model in the model cache, takes an 8-bit mask and names a missing model', async () => {
    const img = await photo('coffee.png', 64, 48);
    const mask = new Uint8ClampedArray(64 * 48);
    mask.fill(255, 0, 64 * 24);
    const files = await readModelDir(modelDir);
    await loadModelOp({ id: 'mobilenet-test', source: { modelJson: files.modelJson, weights: files.weightData }, labels: files.labels });
    const out = await dreamOp({ image: img, mask, options: { octaves: 1, steps: 1, stepSize: 0.05, feather: 0, previewSize: 0 }, modelId: 'mobilenet-test' }, {});
    expect(Buffer.from(out.data.subarray(64 * 24 * 4)).equals(Buffer.from(img.data.subarray(64 * 24 * 4)))).toBe(true);
    expect(maxDiff(out, img)).toBeGreaterThan(0);
    await expect(dreamOp({ image: img, options: {}, modelId: 'nope' }, {})).rejects.toThrow(/“nope” is not loaded/);
    expect(unloadModel('mobilenet-test')).toBe(true);
  });

  it('no tensor leak over 10 dreams', async () => {
    const img = await photo('chelsea.png', 80, 64);
    const o = { octaves: 2, steps: 1, tile: 48, tileOverlap: 16, jitter: 8, previewSize: 16 };
    await dream(img, null, o, net);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) await dream(img, null, { ...o, seed: i }, net);
    expect(tf.memory().numTensors).toBe(before);
  });
});
