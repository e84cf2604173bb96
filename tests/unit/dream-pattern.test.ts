/**
 * Pattern size on the real MobileNet and real photos (wasm): a default stroke on a 2 MP photo is
 * visible at fit, larger pattern sizes give a lower-frequency change, the mask holds at a reduced
 * working resolution, seeds reproduce, Cancel stops within one step, and no tensor leaks.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { crop, downscaleToFit, paste, type RgbaImage } from '../../src/core/image';
import { AbortError } from '../../src/core/job';
import { dream } from '../../src/dream/compute/dream';
import { autoPatternSize } from '../../src/dream/compute/dream-options';
import { workingSize } from '../../src/dream/compute/octaves';
import { dreamNetFromPlain } from '../../src/dream/compute/plain-net-dream';
import { dreamZoom } from '../../src/dream/compute/zoom';
import type { DreamNet } from '../../src/dream/compute/objective';
import type { PlainNet } from '../../src/core/net/plain-net';
import { cropMargin, defaultDreamSettings, toDreamOptions } from '../../src/dream/ui/dream-settings';
import { expandRect } from '../../src/dream/ui/brush';
import { cropPlane } from '../../src/dream/ui/geometry';
import { maxDiff, photo, sharedDir, useWasm } from './dream-fixtures';

let plain: PlainNet;
let net: DreamNet;
beforeAll(async () => {
  await useWasm();
  plain = (await loadPlainNetFromDir(resolve(sharedDir, 'models', 'mobilenet_v1_0.75_224'))).net;
  net = dreamNetFromPlain(plain);
});
afterAll(() => plain.dispose());

/** Grey change (result - original, mean of RGB) of two same-size images. */
function change(a: RgbaImage, b: RgbaImage): Float32Array {
  const d = new Float32Array(a.width * a.height);
  for (let p = 0; p < d.length; p++) d[p] = (b.data[p * 4]! + b.data[p * 4 + 1]! + b.data[p * 4 + 2]! - a.data[p * 4]! - a.data[p * 4 + 1]! - a.data[p * 4 + 2]!) / 3;
  return d;
}

/** Share of a signal's energy in its Laplacian: high for fine detail, low for broad patterns. */
function laplacianRatio(d: Float32Array, w: number, h: number): number {
  let lap = 0;
  let all = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = 4 * d[i]! - d[i - 1]! - d[i + 1]! - d[i - w]! - d[i + w]!;
      lap += l * l;
      all += d[i]! * d[i]!;
    }
  }
  return lap / all;
}

describe('pattern size', () => {
  it('auto: 1 up to 640 px, then the photo over 640; the working size keeps the network a minimum', () => {
    expect(autoPatternSize(600, 400)).toBe(1);
    expect(autoPatternSize(5312, 2988)).toBeCloseTo(8.3, 5);
    expect(workingSize(5312, 2988, autoPatternSize(5312, 2988), 32)).toEqual({ width: 640, height: 360 });
    expect(workingSize(1000, 40, 8, 32)).toEqual({ width: 800, height: 32 });
  });

  it('a default stroke on a 2 MP photo is clearly visible at fit (mean change >= 6 levels in the stroke, view 960 px)', async () => {
    const { data, info } = await sharp(resolve(sharedDir, 'photos', 'dandelions_5312x2988.jpg')).resize(1920, 1080).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const img: RgbaImage = { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
    const W = img.width;
    const stroke = new Uint8Array(W * img.height);
    for (let y = 400; y < 680; y++) stroke.fill(255, y * W + 500, y * W + 1420);
    // As the panel does: crop to the stroke plus the margin, panel defaults, pattern size from the whole photo.
    const s = defaultDreamSettings;
    const rect = expandRect({ x: 500, y: 400, w: 920, h: 280 }, cropMargin(s, img), W, img.height);
    const r = await dream(crop(img, rect), cropPlane(stroke, W, rect), toDreamOptions(s, 16, img), net);
    expect(r.patternSize).toBe(3);
    const after = paste(img, r.image, rect.x, rect.y);
    const a = downscaleToFit(img, 960);
    const b = downscaleToFit(after, 960);
    let sum = 0;
    let n = 0;
    for (let y = 201; y < 339; y++) for (let x = 251; x < 709; x++) for (let c = 0; c < 3; c++, n++) sum += Math.abs(a.data[(y * a.width + x) * 4 + c]! - b.data[(y * a.width + x) * 4 + c]!);
    // 6 levels of mean |change| over a textured area is well past the ~2 levels a viewer notices on a screen.
    expect(sum / n).toBeGreaterThanOrEqual(6);
    // Outside the stroke the photo keeps its bytes, even though the detail came up from 1/3 resolution.
    for (let y = 0; y < img.height; y += 7) for (let x = 0; x < W; x += 7) if (!stroke[y * W + x]) for (let c = 0; c < 3; c++) expect(after.data[(y * W + x) * 4 + c]).toBe(img.data[(y * W + x) * 4 + c]);
  }, 60_000);

  it('a larger pattern size gives a lower spatial frequency of the change (Laplacian energy share)', async () => {
    const img = await photo('chelsea.png', 480, 320);
    const ratios: number[] = [];
    for (const patternSize of [1, 2, 4]) {
      const r = await dream(img, null, { patternSize, octaves: 1, steps: 4, stepSize: 0.03, jitter: 8, previewSize: 0 }, net);
      expect(r.working.width).toBe(Math.round(480 / patternSize));
      ratios.push(laplacianRatio(change(img, r.image), 480, 320));
    }
    expect(ratios[1]!).toBeLessThan(ratios[0]! * 0.7);
    expect(ratios[2]!).toBeLessThan(ratios[1]! * 0.7);
  }, 60_000);
});

describe('at a reduced working resolution', () => {
  let img: RgbaImage;
  const o = { patternSize: 3, octaves: 2, steps: 2, stepSize: 0.03, jitter: 8, previewSize: 0 };
  beforeAll(async () => {
    img = await photo('coffee.png', 300, 200);
  });

  it('the mask holds (outside <= 1 level), inside changes', async () => {
    const m = new Float32Array(300 * 200);
    for (let y = 50; y < 150; y++) for (let x = 80; x < 220; x++) m[y * 300 + x] = 1;
    const r = await dream(img, m, { ...o, feather: 8 }, net);
    let outside = 0;
    let inside = 0;
    for (let p = 0; p < 300 * 200; p++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(r.image.data[p * 4 + c]! - img.data[p * 4 + c]!);
        if (m[p] === 0) outside = Math.max(outside, d);
        else inside += d;
      }
    }
    expect(outside).toBeLessThanOrEqual(1);
    expect(inside / (100 * 140 * 3)).toBeGreaterThan(2);
  });

  it('same seed → same pixels; another seed → other pixels', async () => {
    const a = await dream(img, null, { ...o, seed: 5 }, net);
    const b = await dream(img, null, { ...o, seed: 5 }, net);
    const c = await dream(img, null, { ...o, seed: 6 }, net);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(maxDiff(a.image, c.image)).toBeGreaterThan(0);
  });

  it('Cancel stops within one step and leaves the input intact', async () => {
    const copy = new Uint8ClampedArray(img.data);
    const ac = new AbortController();
    let after = 0;
    const run = dream(img, null, { ...o, steps: 5 }, net, {
      signal: ac.signal,
      onProgress: () => {
        if (ac.signal.aborted) after++;
        else ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(after).toBe(0);
    expect(Buffer.from(img.data).equals(Buffer.from(copy))).toBe(true);
  });

  it('no tensor leak over 10 dreams (plain and guided) and 1 zoom', async () => {
    const small = await photo('chelsea.png', 96, 64);
    const guide = await photo('coffee.png', 64, 64);
    const q = { patternSize: 2, octaves: 2, steps: 1, tile: 48, tileOverlap: 16, jitter: 4, previewSize: 16, minOctaveSize: 16 };
    await dream(small, null, q, net);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) await dream(small, null, { ...q, seed: i, guide: i % 2 ? guide : null }, net);
    let frames = 0;
    await dreamZoom(small, q, { frames: 3, zoom: 1.1 }, net, () => void frames++);
    expect(frames).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
