/**
 * Dream engine pieces on their own: resampling against PIL, tiling cover, mask feathering, options,
 * and the whole loop on a tiny plain-op conv net (fast; the real-model checks are in dream-model).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dream } from '../../src/dream/compute/dream';
import { parseLayerSpec, resolveDreamOptions } from '../../src/dream/compute/dream-options';
import { featherMask, maskCoverage } from '../../src/dream/compute/mask';
import { resamplePilBilinear } from '../../src/core/resample';
import { octaveSizes } from '../../src/dream/compute/octaves';
import { planTiles } from '../../src/dream/compute/gradient';
import { tileRanges } from '../../src/dream/compute/tiles';
import { AbortError } from '../../src/core/job';
import type { RgbaImage } from '../../src/core/image';
import { maxDiff, meanActivation, photo, tinyNet, useWasm } from './dream-fixtures';

const PY = '/usr/bin/python3';

/** PIL's BILINEAR resize of each float plane (antialiased triangle filter), as the reference. */
function pilResize(src: Float32Array, w: number, h: number, c: number, w2: number, h2: number): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), 'dream-pil-'));
  writeFileSync(join(dir, 'in.f32'), Buffer.from(src.buffer, src.byteOffset, src.byteLength));
  const code = `
import numpy as np
from PIL import Image
a = np.fromfile('${dir}/in.f32', dtype=np.float32).reshape(${h}, ${w}, ${c})
out = np.stack([np.asarray(Image.fromarray(a[:, :, k], mode='F').resize((${w2}, ${h2}), Image.BILINEAR)) for k in range(${c})], axis=-1)
out.astype(np.float32).tofile('${dir}/out.f32')
`;
  const r = spawnSync(PY, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PY} failed (python3 with numpy and PIL is required): ${r.error?.message ?? r.stderr}`);
  const b = readFileSync(join(dir, 'out.f32'));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

describe('resamplePilBilinear', () => {
  const w = 37;
  const h = 23;
  const src = new Float32Array(w * h * 3);
  for (let i = 0; i < src.length; i++) src[i] = Math.sin(i * 0.37) * 40 + ((i * 7919) % 13);
  for (const [w2, h2] of [[16, 11], [80, 50], [37, 9], [52, 23]] as const) {
    it(`matches PIL BILINEAR ${w}x${h} → ${w2}x${h2}`, () => {
      const ours = resamplePilBilinear({ data: src, width: w, height: h, stride: 3 }, 3, w2, h2);
      const ref = pilResize(src, w, h, 3, w2, h2);
      expect(ref.length).toBe(ours.length);
      let m = 0;
      for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]! - ours[i]!));
      expect(m).toBeLessThan(1e-3);
    });
  }
  it('reads RGBA bytes with a scale and offset, and is the identity at the same size', () => {
    const rgba = new Uint8ClampedArray([0, 127, 255, 9, 10, 20, 30, 40]);
    const out = resamplePilBilinear({ data: rgba, width: 2, height: 1, stride: 4 }, 3, 2, 1, 1 / 127.5, -1);
    expect(Array.from(out).map((v) => Math.round((v + 1) * 127.5))).toEqual([0, 127, 255, 10, 20, 30]);
  });
  it('sizes octaves smallest first and drops ones below the minimum', () => {
    expect(octaveSizes(1000, 500, 3, 2, 32)).toEqual([{ width: 250, height: 125 }, { width: 500, height: 250 }, { width: 1000, height: 500 }]);
    expect(octaveSizes(100, 60, 4, 2, 32)).toEqual([{ width: 100, height: 60 }]);
  });
});

describe('tiles', () => {
  it('cover every pixel exactly once, without slivers', () => {
    for (const [n, t, off] of [[100, 512, 3], [1000, 128, 0], [1000, 128, 127], [1000, 128, 5], [129, 128, 1]] as const) {
      const r = tileRanges(n, t, off);
      expect(r[0]![0]).toBe(0);
      expect(r[r.length - 1]![1]).toBe(n);
      for (let i = 1; i < r.length; i++) expect(r[i]![0]).toBe(r[i - 1]![1]);
      if (r.length > 1) for (const [a, b] of r) expect(b - a).toBeGreaterThanOrEqual(t / 4);
      for (const [a, b] of r) expect(b - a).toBeLessThanOrEqual(t + t / 4);
    }
  });
  it('regions add at least the overlap, stay inside the image and keep the stride lattice', () => {
    const tiles = planTiles(300, 200, { tile: 128, overlap: 16, align: 32 }, 40, 100);
    const seen = new Uint8Array(300 * 200);
    for (const { core, region } of tiles) {
      expect(region.x0).toBe(Math.floor(Math.max(0, core.x0 - 16) / 32) * 32);
      expect(region.y0 % 32).toBe(0);
      // Ends fall where the image's own end falls modulo 32, so 'same' padding matches.
      expect((300 - region.x1) % 32).toBe(0);
      expect((200 - region.y1) % 32).toBe(0);
      expect(region.x1).toBeGreaterThanOrEqual(Math.min(300, core.x1 + 16));
      expect(region.y1).toBeGreaterThanOrEqual(Math.min(200, core.y1 + 16));
      for (let y = core.y0; y < core.y1; y++) for (let x = core.x0; x < core.x1; x++) seen[y * 300 + x]!++;
    }
    expect(seen.every((v) => v === 1)).toBe(true);
  });
});

describe('mask', () => {
  const w = 60;
  const h = 40;
  const m = new Float32Array(w * h);
  for (let y = 10; y < 30; y++) for (let x = 15; x < 45; x++) m[y * w + x] = 1;
  it('feathers inward only: outside stays exactly 0, the centre stays 1, the edge ramps', () => {
    const f = featherMask(m, w, h, 8);
    for (let i = 0; i < f.length; i++) if (m[i] === 0) expect(f[i]).toBe(0);
    expect(f[20 * w + 30]).toBeCloseTo(1, 5);
    const ramp = [15, 16, 17, 18, 19, 20].map((x) => f[20 * w + x]!);
    for (let i = 1; i < ramp.length; i++) expect(ramp[i]!).toBeGreaterThanOrEqual(ramp[i - 1]!);
    expect(ramp[0]!).toBeLessThan(0.8);
  });
  it('coverage at a smaller size marks every cell touching the mask', () => {
    const c = maskCoverage(m, w, h, 6, 4);
    // Cells of 10x10: columns 1..4 and rows 1..2 touch the painted rectangle.
    const rows = Array.from({ length: 4 }, (_, y) => Array.from(c.subarray(y * 6, y * 6 + 6)).join(''));
    expect(rows).toEqual(['000000', '011110', '011110', '000000']);
  });
});

describe('options', () => {
  it('parses --layer specs with weights and channels', () => {
    expect(parseLayerSpec('conv_pw_9_relu')).toEqual([{ name: 'conv_pw_9_relu', weight: 1 }]);
    expect(parseLayerSpec('a:0.5,b:2', [3, 17])).toEqual([{ name: 'a', weight: 0.5, channels: [3, 17] }, { name: 'b', weight: 2, channels: [3, 17] }]);
    expect(() => parseLayerSpec('a:x')).toThrow(/NAME:WEIGHT/);
  });
  it('refuses unusable values with a message', () => {
    expect(() => resolveDreamOptions({ octaveScale: 1 })).toThrow(/octave scale/);
    expect(() => resolveDreamOptions({ tile: 8 })).toThrow(/tile/);
    expect(() => resolveDreamOptions({ layers: [], classIndex: null })).toThrow(/layer or a class/);
  });
});

describe('dream loop on a tiny conv net (wasm)', () => {
  let net: ReturnType<typeof tinyNet>;
  let img: RgbaImage;
  const opts = { layers: [{ name: 'c2', weight: 1 }], steps: 3, octaves: 2, jitter: 6, seed: 3, previewSize: 0 };
  beforeAll(async () => {
    await useWasm();
    net = tinyNet();
    img = await photo('coffee.png', 96, 64);
  });
  afterAll(() => net.dispose());

  it('raises the layer, is deterministic per seed and leaves the input alone', async () => {
    const before = new Uint8ClampedArray(img.data);
    const a = await dream(img, null, opts, net);
    const b = await dream(img, null, opts, net);
    const c = await dream(img, null, { ...opts, seed: 4 }, net);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(maxDiff(a.image, c.image)).toBeGreaterThan(0);
    expect(meanActivation(net, a.image, 'c2')).toBeGreaterThan(meanActivation(net, img, 'c2') * 1.05);
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
  });

  it('reports progress with previews after every step and stops on abort with the input intact', async () => {
    const before = new Uint8ClampedArray(img.data);
    const seen: number[] = [];
    const ac = new AbortController();
    const run = dream(img, null, { ...opts, previewSize: 32 }, net, {
      signal: ac.signal,
      onProgress: (p) => {
        if (!p.label.includes('tile')) seen.push(p.fraction);
        const pv = (p as { preview?: RgbaImage }).preview;
        expect(pv && pv.width === 32 && pv.height === 21).toBe(true);
        if (seen.length === 2) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(seen).toEqual([1 / 6, 2 / 6]);
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
  });

  it('keeps the exact bytes (and alpha) where the mask is 0', async () => {
    const withAlpha: RgbaImage = { ...img, data: new Uint8ClampedArray(img.data) };
    for (let i = 3; i < withAlpha.data.length; i += 4) withAlpha.data[i] = (i * 13) % 256;
    const m = new Float32Array(96 * 64);
    for (let y = 16; y < 48; y++) for (let x = 24; x < 72; x++) m[y * 96 + x] = 1;
    const r = await dream(withAlpha, m, { ...opts, feather: 6 }, net);
    let inside = 0;
    for (let p = 0; p < 96 * 64; p++) {
      expect(r.image.data[p * 4 + 3]).toBe(withAlpha.data[p * 4 + 3]);
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(r.image.data[p * 4 + c]! - withAlpha.data[p * 4 + c]!);
        if (m[p] === 0) expect(d).toBe(0);
        else inside += d;
      }
    }
    expect(inside / (32 * 48 * 3)).toBeGreaterThan(1);
  });

  it('does not leak tensors', async () => {
    await dream(img, null, { ...opts, steps: 1 }, net);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await dream(img, null, { ...opts, steps: 1, tile: 32, tileOverlap: 8 }, net);
    expect(tf.memory().numTensors).toBe(n);
  });
});
