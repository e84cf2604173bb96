/** The Explain panel's overlay pictures, burn-in blend (and the worker op that runs it), layer list and feature-map tile picking. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { colormapLut, colorize, overlay } from '../../src/explain/compute/colormap';
import { blendRgba, burnIn } from '../../src/explain/compute/cam-composite';
import { explainHandlers } from '../../src/explain/compute/explain-ops';
import type { LayerInfo } from '../../src/core/net/plain-net';
import {
  displaySize, heatLayerImage, layerTitle, mapRange, samePixels, spatialLayers, tileAt,
} from '../../src/explain/ui/overlay-view';
import { downscaleNearest } from '../../src/core/image';

const repoRoot = path.resolve(__dirname, '..', '..');
const coffee = path.resolve(repoRoot, '..', 'shared', 'photos', 'coffee.png');

async function photo(w: number, h: number) {
  const { data, info } = await sharp(coffee).resize(w, h).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

function radialHeat(w: number, h: number): Float32Array {
  const heat = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) heat[y * w + x] = Math.max(0, 1 - Math.hypot(x - w * 0.4, y - h * 0.5) / (w * 0.6));
  return heat;
}

describe('overlay pictures', () => {
  it('burn-in is (1 - a)·photo + a·colour(heat) per channel, alpha kept, like pytorch-grad-cam', async () => {
    const img = await photo(60, 40);
    const heat = radialHeat(60, 40);
    const lut = colormapLut('viridis');
    const out = burnIn(img, heat, 'viridis', 0.3, null);
    let d = 0;
    for (let i = 0; i < 60 * 40; i++) {
      const k = Math.round(Math.min(1, Math.max(0, heat[i]!)) * 255) * 3;
      for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(out.data[i * 4 + c]! - (0.7 * img.data[i * 4 + c]! + 0.3 * lut[k + c]!)));
      expect(out.data[i * 4 + 3]).toBe(img.data[i * 4 + 3]);
    }
    expect(d).toBeLessThanOrEqual(0.5);
    // Opacity 0 leaves the photo exactly; the input is never modified.
    const before = img.data.slice();
    expect(Buffer.from(burnIn(img, heat, 'jet', 0, null).data).equals(Buffer.from(img.data))).toBe(true);
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
  });

  it('burns the guided picture in with the same blend', async () => {
    const img = await photo(30, 20);
    const guided = { width: 30, height: 20, data: new Uint8ClampedArray(30 * 20 * 4).fill(200) };
    const out = burnIn(img, new Float32Array(600), 'jet', 0.5, guided);
    expect(out.data[0]).toBe(Math.round((img.data[0]! + 200) / 2));
    expect(() => blendRgba(img, { ...guided, width: 20, height: 30 }, 0.5)).toThrow(/sizes/);
  });

  it('draws small maps at full size and large ones area-averaged under 2048 px', () => {
    expect(displaySize(600, 400)).toEqual({ width: 600, height: 400 });
    expect(displaySize(5312, 2988)).toEqual({ width: 2048, height: 1152 });
    const heat = radialHeat(120, 80);
    expect(Buffer.from(heatLayerImage(heat, 120, 80, 'jet').data).equals(Buffer.from(colorize({ width: 120, height: 80, data: heat }, 'jet').data))).toBe(true);
    // A 4096×10 ramp shown at 2048×5: each shown pixel is the mean of a 2×2 block.
    const W = 4096;
    const ramp = new Float32Array(W * 10).map((_, i) => (i % W) / (W - 1));
    const shown = heatLayerImage(ramp, W, 10, 'inferno');
    expect([shown.width, shown.height]).toEqual([2048, 5]);
    const lut = colormapLut('inferno');
    const x = 1000;
    const mean = (ramp[2 * x]! + ramp[2 * x + 1]!) / 2;
    expect(shown.data[(2 * 2048 + x) * 4]).toBe(lut[Math.round(mean * 255) * 3]);
  });

  it('shrinks RGBA by the nearest pixel', () => {
    const img = { width: 4, height: 2, data: new Uint8ClampedArray(32).map((_, i) => i) };
    const s = downscaleNearest(img, 2, 1);
    expect(Array.from(s.data)).toEqual([...img.data.subarray(4, 8), ...img.data.subarray(12, 16)].map((v) => v + 16));
  });

  it('lists the spatial layers of the real model and finds the raw range', () => {
    const model = JSON.parse(readFileSync(path.resolve(repoRoot, '..', 'shared', 'models', 'mobilenet_v1_0.75_224', 'model.json'), 'utf8')) as {
      modelTopology: { model_config?: { config: { layers: { name: string; class_name: string }[] } } };
    };
    const names = (model.modelTopology.model_config?.config.layers ?? []).map((l) => l.name);
    const layers: LayerInfo[] = [
      { name: 'conv_pw_13_relu', kind: 'Activation', shape: [7, 7, 768] },
      { name: 'global_average_pooling2d_1', kind: 'GlobalAveragePooling2D', shape: [768] },
      { name: 'act_softmax', kind: 'Activation', shape: [1000] },
    ];
    for (const l of layers) expect(names).toContain(l.name);
    expect(spatialLayers(layers).map((l) => l.name)).toEqual(['conv_pw_13_relu']);
    expect(layerTitle(layers[0]!)).toBe('conv_pw_13_relu · 7×7×768');
    expect(mapRange(new Float32Array([3, -1, 7.5, 0]))).toEqual({ min: -1, max: 7.5 });
  });

  it('finds the feature-map channel under a point, not in gaps or past the last tile', () => {
    const grid = { columns: 3, tile: [7, 7] as [number, number], channels: [4, 9, 11, 20, 31] };
    expect(tileAt(grid, 1, 0, 0)).toEqual({ slot: 0, channel: 4 });
    expect(tileAt(grid, 1, 8, 0)).toEqual({ slot: 1, channel: 9 });
    expect(tileAt(grid, 1, 7.5, 3)).toBeNull();
    expect(tileAt(grid, 1, 9, 9)).toEqual({ slot: 4, channel: 31 });
    expect(tileAt(grid, 1, 17, 9)).toBeNull();
    expect(tileAt(grid, 1, 25, 0)).toBeNull();
  });
});

describe('samePixels', () => {
  it('compares pixels, not objects', async () => {
    const a = await photo(31, 17);
    const b = { ...a, data: a.data.slice() };
    expect(samePixels(a, b)).toBe(true);
    b.data[b.data.length - 2]! ^= 1;
    expect(samePixels(a, b)).toBe(false);
    expect(samePixels(a, { ...a, width: 17, height: 31 })).toBe(false);
    // An unaligned view (odd byte offset) takes the byte path.
    const buf = new Uint8ClampedArray(a.data.length + 1);
    buf.set(a.data, 1);
    expect(samePixels(a, { ...a, data: buf.subarray(1) })).toBe(true);
  });
});

describe('camOverlay worker op', () => {
  it('gives the same pixels the panel composited on the UI thread before (heat colours and guided blend)', async () => {
    const img = await photo(60, 40);
    const heat = radialHeat(60, 40);
    const input = { photo: img, heat, colormap: 'turbo' as const, alpha: 0.45, guided: null };
    // Before, the panel ran colormap.overlay on the document for burn-in and for the overlay export.
    const onUi = overlay(img, { width: 60, height: 40, data: heat }, 'turbo', 0.45);
    const viaOp = await explainHandlers.camOverlay(input, {});
    expect(Buffer.from(viaOp.data).equals(Buffer.from(onUi.data))).toBe(true);
    // The guided picture: the panel's blend, out = (1 - a)·photo + a·guided stored in 8-bit, alpha of the photo.
    const guided = { width: 60, height: 40, data: new Uint8ClampedArray(60 * 40 * 4).map((_, i) => (i * 37) & 255) };
    const a = 0.3;
    const blended = new Uint8ClampedArray(img.data.length);
    for (let p = 0; p < blended.length; p += 4) {
      for (let c = 0; c < 3; c++) blended[p + c] = img.data[p + c]! * (1 - a) + guided.data[p + c]! * a;
      blended[p + 3] = img.data[p + 3]!;
    }
    const guidedOut = await explainHandlers.camOverlay({ ...input, alpha: a, guided }, {});
    expect(Buffer.from(guidedOut.data).equals(Buffer.from(blended))).toBe(true);
    expect(guidedOut).toMatchObject({ width: 60, height: 40 });
    await expect(explainHandlers.camOverlay({ ...input, heat: new Float32Array(10) }, {})).rejects.toThrow(/sizes differ/);
  });
});
