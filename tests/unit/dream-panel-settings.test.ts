/**
 * Dream panel settings and pixel plumbing: every preset and the live preview give options the
 * engine accepts; layer depth notes follow the real MobileNet's layer names; history labels say
 * what was dreamed; crops paste back exactly; the CAM map and eraser map to the document correctly.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPreset, clampSettings, convLayers, cropMargin, defaultDreamSettings, depthBand, dreamLabel, dreamPresets, panelPatternSize, previewOptions, toDreamOptions } from '../../src/dream/ui/dream-settings';
import { fitZoom, photoToScreenSize, screenToPhotoSize } from '../../src/dream/ui/brush';
import { camToMask } from '../../src/dream/compute/cam-mask';
import { eraseTowards, maskToGray } from '../../src/dream/ui/geometry';
import { crop, downscaleToFit, paste } from '../../src/core/image';
import { defaultDreamOptions, validateDreamOptions } from '../../src/dream/compute/dream-options';
import type { LayerInfo } from '../../src/core/net/plain-net';
import { modelDir, photo } from './dream-fixtures';

interface KerasLayer {
  name: string;
  class_name: string;
}
const topology = JSON.parse(readFileSync(resolve(modelDir, 'model.json'), 'utf8')) as { modelTopology: { model_config: { config: { layers: KerasLayer[] } } } };
const names = topology.modelTopology.model_config.config.layers.map((l) => l.name);
// Shapes as the worker reports them (H, W, C for spatial layers, [C] after pooling).
const layerInfos: LayerInfo[] = topology.modelTopology.model_config.config.layers.map((l) => ({
  name: l.name,
  kind: l.class_name,
  shape: /^(conv|input)/.test(l.name) && l.name !== 'conv_preds' ? [7, 7, 8] : [1000],
}));

describe('layers and presets on the real MobileNet', () => {
  const conv = convLayers(layerInfos);
  it('lists the ReLU outputs of the conv blocks, shallow to deep', () => {
    expect(conv[0]).toBe('conv1_relu');
    expect(conv.at(-1)).toBe('conv_pw_13_relu');
    expect(conv).toContain('conv_pw_9_relu');
    expect(conv.every((n) => n.endsWith('_relu') && names.includes(n))).toBe(true);
    expect(conv.length).toBe(27);
  });

  it('depth notes: early edges, pw 3..5 textures, pw 7..11 parts, last layers objects', () => {
    expect(depthBand('conv1_relu', conv)).toBe('early');
    expect(depthBand('conv_pw_2_relu', conv)).toBe('early');
    for (const n of [3, 4, 5]) expect(depthBand(`conv_pw_${n}_relu`, conv)).toBe('textures');
    for (const n of [7, 8, 9, 10, 11]) expect(depthBand(`conv_pw_${n}_relu`, conv)).toBe('parts');
    expect(depthBand('conv_pw_13_relu', conv)).toBe('objects');
    // Unknown naming: by place in the list.
    expect(depthBand('b', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'])).toBe('early');
    expect(depthBand('j', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'])).toBe('objects');
  });

  it('every preset names a layer of the model and gives options the engine accepts (full and preview)', () => {
    for (const p of dreamPresets) {
      const s = applyPreset(p, defaultDreamSettings, conv);
      expect(conv).toContain(s.layer);
      expect(validateDreamOptions({ ...defaultDreamOptions, ...toDreamOptions(s) })).toBeNull();
      const prev = previewOptions(s, 0.5);
      expect(validateDreamOptions({ ...defaultDreamOptions, ...prev })).toBeNull();
      expect(prev.octaves).toBe(1);
      expect(prev.steps).toBeLessThanOrEqual(s.steps);
      expect(prev.jitter).toBe(Math.round(s.jitter * 0.5));
    }
    // Another network: the preset falls back to the layer at its depth.
    expect(applyPreset(dreamPresets[0]!, defaultDreamSettings, ['a', 'b', 'c', 'd']).layer).toBe('b');
  });

  it('history labels are descriptive; clamping repairs out-of-range values', () => {
    expect(dreamLabel({ ...defaultDreamSettings, layer: 'conv_pw_9_relu', strength: 0.8, steps: 10, seed: 3 })).toBe('Dream conv_pw_9_relu ×0.8 steps 10 octaves 3 seed 3');
    const c = clampSettings({ ...defaultDreamSettings, steps: 1e6, tile: 12.4, strength: -2, stepSize: Number.NaN });
    expect(validateDreamOptions({ ...defaultDreamOptions, ...toDreamOptions(c) })).toBeNull();
    expect(c.steps).toBe(50);
    expect(c.strength).toBe(0);
  });
});

describe('pattern size, presets and brush size in the panel', () => {
  const big = { width: 5312, height: 2988 };
  it('auto (0) resolves from the whole document, so a crop of it dreams at the same pattern size; margins follow', () => {
    expect(panelPatternSize(defaultDreamSettings, big)).toBeCloseTo(8.3, 5);
    expect(panelPatternSize(defaultDreamSettings, { width: 600, height: 400 })).toBe(1);
    expect(panelPatternSize({ ...defaultDreamSettings, patternSize: 2.5 }, big)).toBe(2.5);
    expect(toDreamOptions(defaultDreamSettings, 16, big).patternSize).toBeCloseTo(8.3, 5);
    expect(toDreamOptions({ ...defaultDreamSettings, patternSize: 1 }, 16, big).patternSize).toBe(1);
    expect(cropMargin(defaultDreamSettings, big)).toBe(Math.ceil(48 * 8.3));
    expect(cropMargin({ ...defaultDreamSettings, patternSize: 1 }, big)).toBe(48);
    // The preview's crop is already downscaled by `scale`: only the rest of the pattern size remains.
    expect(previewOptions(defaultDreamSettings, 0.1, big).patternSize).toBe(1);
    expect(previewOptions(defaultDreamSettings, 0.5, big).patternSize).toBeCloseTo(4.15, 5);
    expect(clampSettings({ ...defaultDreamSettings, patternSize: 99 }).patternSize).toBe(16);
    expect(clampSettings({ ...defaultDreamSettings, patternSize: Number.NaN }).patternSize).toBe(0);
  });

  it('offers gentle, textures, eyes and fur, objects and guided; all at auto pattern size and climbing enough to show at fit', () => {
    expect(dreamPresets.map((p) => p.id)).toEqual(['gentle', 'textures', 'eyes', 'objects', 'guided']);
    for (const p of dreamPresets) {
      const s = { ...defaultDreamSettings, ...p.settings };
      expect(s.patternSize).toBe(0);
      // The default stroke (10 × 0.02) changes ~8 levels at fit on a 2 MP photo (dream-pattern.test.ts): presets climb at least 0.6 of it.
      expect(s.steps * s.stepSize * s.strength).toBeGreaterThanOrEqual(0.6 * 10 * 0.02 - 1e-9);
    }
    expect(dreamPresets.find((p) => p.id === 'guided')!.guided).toBe(true);
  });

  it('brush sizes convert between screen and photo pixels at the view zoom', () => {
    const z = fitZoom(5312, 2988, 1280, 800);
    expect(z).toBeCloseTo(1280 / 5312, 10);
    expect(screenToPhotoSize(64, z)).toBeCloseTo(64 * 5312 / 1280, 6);
    expect(photoToScreenSize(screenToPhotoSize(40, z), z)).toBeCloseTo(40, 10);
    expect(fitZoom(300, 200, 1200, 1200)).toBe(4);
    expect(screenToPhotoSize(0.1, 4)).toBe(1);
  });
});

describe('pixel plumbing', () => {
  it('crop then paste at the same place is the identity; paste never writes its target', async () => {
    const img = await photo('chelsea.png', 120, 80);
    const r = { x: 17, y: 9, w: 50, h: 41 };
    const copy = img.data.slice();
    const back = paste(img, crop(img, r), r.x, r.y);
    expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
    const black = { width: r.w, height: r.h, data: new Uint8ClampedArray(r.w * r.h * 4) };
    const pasted = paste(img, black, r.x, r.y);
    expect(Buffer.from(img.data).equals(Buffer.from(copy))).toBe(true);
    expect(pasted.data[((r.y + 3) * 120 + r.x + 3) * 4]).toBe(0);
    expect(pasted.data[((r.y - 1) * 120 + r.x) * 4]).toBe(img.data[((r.y - 1) * 120 + r.x) * 4]);
  });

  it('downscale by two is the mean of each 2x2 block', async () => {
    const img = await photo('coffee.png', 64, 48);
    const small = downscaleToFit(img, 32);
    expect([small.width, small.height]).toEqual([32, 24]);
    for (const [x, y] of [[0, 0], [13, 7], [31, 23]] as const) {
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => img.data[(yy * 64 + xx) * 4 + c]!;
        const mean = (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1)) / 4;
        expect(Math.abs(small.data[(y * 32 + x) * 4 + c]! - mean)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('a CAM map at the document size becomes the mask value for value (after the floor)', () => {
    const heat = new Float32Array([0, 0.05, 0.1, 0.55, 1, 0.775]);
    const m = camToMask(heat, 3, 2, 3, 2, 0.1).mask;
    expect([...m]).toEqual([0, 0, 0, 128, 255, 191]);
    // Upsampled: corners keep their values, the middle interpolates.
    const up = camToMask(new Float32Array([0, 1]), 2, 1, 8, 1, 0).mask;
    expect(up[0]).toBe(0);
    expect(up[7]).toBe(255);
    expect(up[3]).toBeGreaterThan(up[2]!);
  });

  it('the mask exports as opaque gray; the eraser restores the original under full coverage only', async () => {
    const g = maskToGray(new Uint8Array([0, 128, 255]), 3, 1);
    expect([...g.data]).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
    const orig = await photo('chelsea.png', 40, 30);
    const cur = { ...orig, data: orig.data.map((v, i) => (i % 4 === 3 ? v : 255 - v)) };
    const cov = new Uint8Array(40 * 30);
    cov.fill(255, 0, 40);
    cov.fill(128, 40, 80);
    const out = eraseTowards(cur, orig, cov, { x: 0, y: 0, w: 40, h: 30 }, 1);
    for (let x = 0; x < 40; x++) {
      expect(out.data[x * 4]).toBe(orig.data[x * 4]);
      expect(Math.abs(out.data[(40 + x) * 4]! - (cur.data[(40 + x) * 4]! * (127 / 255) + orig.data[(40 + x) * 4]! * (128 / 255)))).toBeLessThanOrEqual(0.5);
      expect(out.data[(80 + x) * 4]).toBe(cur.data[(80 + x) * 4]);
    }
  });
});
