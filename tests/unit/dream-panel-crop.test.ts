/**
 * The Dream panel dreams only the stroke's bounding box plus CROP_MARGIN: cropping must not change
 * the feathered blend weights (the engine's featherMask on the crop equals the whole-document one),
 * and a cropped dream pasted back leaves every pixel outside the stroke byte-identical while the
 * painted core changes. Real photo, the real engine (wasm) on a small seeded network.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expandRect, Stroke } from '../../src/dream/ui/brush';
import { CROP_MARGIN, FEATHER } from '../../src/dream/ui/dream-settings';
import { cropPlane } from '../../src/dream/ui/geometry';
import { dream } from '../../src/dream/compute/dream';
import { featherMask } from '../../src/dream/compute/mask';
import { crop, paste, type RgbaImage } from '../../src/core/image';
import { photo, tinyNet, useWasm } from './dream-fixtures';

const W = 200;
const H = 150;
let cat: RgbaImage;

beforeAll(async () => {
  await useWasm();
  cat = await photo('chelsea.png', W, H);
});

function paint(size: number, hardness: number, pts: [number, number][]): Stroke {
  const s = new Stroke(W, H, { size, hardness, opacity: 1, eraser: false });
  for (const [x, y] of pts) s.add(x, y);
  return s;
}

describe('feathering on the crop', () => {
  it('weights of the cropped mask equal the whole-document weights, and are 0 wherever nothing was painted', () => {
    const s = paint(36, 0.5, [[60, 40], [110, 70], [150, 60]]);
    const whole = featherMask(s.coverage, W, H, FEATHER);
    const r = expandRect(s.bounds!, CROP_MARGIN, W, H);
    const crop = featherMask(cropPlane(s.coverage, W, r), r.w, r.h, FEATHER);
    let maxErr = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const w = whole[y * W + x]!;
        if (s.coverage[y * W + x] === 0) expect(w).toBe(0);
        const inCrop = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
        if (!inCrop) expect(w).toBe(0);
        else maxErr = Math.max(maxErr, Math.abs(w - crop[(y - r.y) * r.w + (x - r.x)]!));
      }
    }
    expect(maxErr).toBeLessThan(1e-6);
  });

  it('the edge ramps up inside a wide hard stroke and is full about FEATHER pixels in', () => {
    const s = paint(80, 1, [[40, 75], [160, 75]]);
    const w = featherMask(s.coverage, W, H, FEATHER);
    const at = (y: number) => w[y * W + 100]!;
    // Column x = 100 crosses the band from y ≈ 35 to 115: 0 outside, rising, ≈ 1 in the middle.
    expect(at(30)).toBe(0);
    // The engine's inward feather min(m, blur(m)) starts near one half at a hard edge and reaches 1 about FEATHER px in.
    expect(at(36)).toBeGreaterThan(0);
    expect(at(36)).toBeLessThan(0.8);
    expect(at(36 + FEATHER)).toBeGreaterThan(0.99);
    expect(at(75)).toBeGreaterThan(0.99);
    for (let y = 36; y < 60; y++) expect(at(y + 1)).toBeGreaterThanOrEqual(at(y) - 1e-6);
  });
});

describe('cropped dream pasted back', () => {
  it('changes the painted core only; pixels outside the stroke keep their bytes', async () => {
    const net = tinyNet();
    const before = tf.memory().numTensors;
    const s = paint(30, 0.6, [[50, 50], [90, 60], [120, 100]]);
    const r = expandRect(s.bounds!, CROP_MARGIN, W, H);
    expect(r.w * r.h).toBeLessThan(W * H);
    const out = await dream(crop(cat, r), cropPlane(s.coverage, W, r), { layers: [{ name: 'c2', weight: 1 }], steps: 3, octaves: 1, stepSize: 0.05, jitter: 4, tile: 256, feather: FEATHER, seed: 3 }, net);
    const result = paste(cat, out.image, r.x, r.y);
    const weights = featherMask(s.coverage, W, H, FEATHER);
    let coreDiff = 0;
    let core = 0;
    for (let p = 0; p < W * H; p++) {
      const d = Math.max(...[0, 1, 2, 3].map((c) => Math.abs(result.data[p * 4 + c]! - cat.data[p * 4 + c]!)));
      if (s.coverage[p] === 0) expect(d, `pixel ${p % W},${Math.floor(p / W)}`).toBe(0);
      if (weights[p]! > 0.9) {
        coreDiff += d;
        core++;
      }
    }
    expect(core).toBeGreaterThan(50);
    expect(coreDiff / core).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});
