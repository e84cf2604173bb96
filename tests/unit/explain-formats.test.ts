/** Pure Explain helpers against independent references: cv2 resizes, numpy's .npy reader, colormap anchors. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { colorize, colormapLut, legendStrip, overlay } from '../../src/explain/compute/colormap';
import { csvMap, heatToGray16, npyFloat32 } from '../../src/explain/compute/export-formats';
import { normalized01 } from '../../src/explain/compute/cam-maps';
import { resampleCv2, resampleMapCv2 } from '../../src/core/resample';
import { planViews } from '../../src/explain/compute/views';
import { maxAbsDiff } from './net-fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'onirique-fmt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs python with numpy/cv2 on .npy files in `dir`. */
function py(code: string): void {
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np, cv2, os\nos.chdir(${JSON.stringify(dir)})\n${code}`]);
}
const readNpyF32 = (name: string) => {
  const b = readFileSync(path.join(dir, name));
  const hl = b.readUInt16LE(8);
  return new Float32Array(b.buffer.slice(b.byteOffset + 10 + hl, b.byteOffset + b.byteLength));
};

describe('resample', () => {
  // A smooth-plus-noise test image, 3 channels.
  const W = 97, H = 61;
  const src = new Float32Array(W * H * 3).map((_, i) => (Math.sin(i * 0.37) + 1) * 100 + (i % 7));
  it('area-averages like cv2 INTER_AREA when shrinking, and is bilinear like cv2 INTER_LINEAR when enlarging', () => {
    writeFileSync(path.join(dir, 'src.npy'), npyFloat32(src, [H, W, 3]));
    py(`s = np.load('src.npy')
np.save('down.npy', cv2.resize(s, (40, 23), interpolation=cv2.INTER_AREA).astype(np.float32))
np.save('up.npy', cv2.resize(s, (150, 130), interpolation=cv2.INTER_LINEAR).astype(np.float32))
np.save('crop.npy', cv2.resize(s[10:50, 20:60], (20, 20), interpolation=cv2.INTER_AREA).astype(np.float32))`);
    const down = resampleCv2(src, W, H, 3, 3, { x: 0, y: 0, w: W, h: H }, 40, 23);
    expect(maxAbsDiff(down, readNpyF32('down.npy'))).toBeLessThan(1e-2);
    // Written over a given array (garbage in it: the many-tap rows must not add to it), the result is the same.
    const into = resampleCv2(src, W, H, 3, 3, { x: 0, y: 0, w: W, h: H }, 40, 23, new Float32Array(40 * 23 * 3).fill(NaN));
    expect(maxAbsDiff(into, down)).toBe(0);
    expect(maxAbsDiff(resampleCv2(src, W, H, 3, 3, { x: 0, y: 0, w: W, h: H }, 150, 130), readNpyF32('up.npy'))).toBeLessThan(1e-2);
    expect(maxAbsDiff(resampleCv2(src, W, H, 3, 3, { x: 20, y: 10, w: 40, h: 40 }, 20, 20), readNpyF32('crop.npy'))).toBeLessThan(1e-2);
  });

  it('upsamples a 7×7 CAM like cv2 and normalises to 0..1', () => {
    const cam = new Float32Array(49).map((_, i) => (i * 13) % 11);
    writeFileSync(path.join(dir, 'cam.npy'), npyFloat32(cam, [7, 7]));
    py(`np.save('camup.npy', cv2.resize(np.load('cam.npy'), (600, 400), interpolation=cv2.INTER_LINEAR).astype(np.float32))`);
    py(`u = np.load('camup.npy'); np.save('camnorm.npy', ((u - u.min()) / (u.max() - u.min())).astype(np.float32))`);
    const up = resampleMapCv2(cam, 7, 7, 600, 400);
    expect(maxAbsDiff(up, readNpyF32('camup.npy'))).toBeLessThan(1e-3);
    expect(maxAbsDiff(normalized01(up), readNpyF32('camnorm.npy'))).toBeLessThan(1e-3);
    expect(normalized01(new Float32Array(5).fill(3))).toEqual(new Float32Array(5));
    // Written over a given array (garbage in it), the result is the same.
    const into = new Float32Array(600 * 400).fill(NaN);
    expect(resampleCv2(cam, 7, 7, 1, 1, { x: 0, y: 0, w: 7, h: 7 }, 600, 400, into)).toBe(into);
    expect(maxAbsDiff(into, up)).toBe(0);
  });

  it('plans tiles that cover a large photo with overlap', () => {
    const v = planViews(5312, 2988, 'tiles', 2);
    expect(v.every((r) => r.x >= 0 && r.y >= 0 && r.x + r.w <= 5312 && r.y + r.h <= 2988)).toBe(true);
    expect(Math.max(...v.map((r) => r.x + r.w))).toBe(5312);
    expect(Math.max(...v.map((r) => r.y + r.h))).toBe(2988);
    expect(planViews(600, 400, 'center-crop')).toEqual([{ x: 100, y: 0, w: 400, h: 400 }]);
  });
});

describe('export formats', () => {
  it('writes .npy that numpy reads back with the right shape and values', () => {
    const data = new Float32Array(6 * 5).map((_, i) => i / 7 - 1);
    writeFileSync(path.join(dir, 'm.npy'), npyFloat32(data, [6, 5]));
    const out = execFileSync('/usr/bin/python3', ['-c', `import numpy as np, json; a = np.load(${JSON.stringify(path.join(dir, 'm.npy'))}); print(json.dumps([a.dtype.str, list(a.shape), a.ravel().tolist()]))`]).toString();
    const [dtype, shape, values] = JSON.parse(out) as [string, number[], number[]];
    expect(dtype).toBe('<f4');
    expect(shape).toEqual([6, 5]);
    expect(maxAbsDiff(values, data)).toBe(0);
  });

  it('writes CSV rows and 16-bit grayscale samples', () => {
    const m = Float32Array.from([0, 0.5, 1, 0.25]);
    expect(csvMap(m, 2, 2)).toBe('0,0.5\n1,0.25\n');
    expect(Array.from(heatToGray16(Float32Array.from([0, 0.5, 1, 2, -1])))).toEqual([0, 32768, 65535, 65535, 0]);
  });
});

describe('colormaps', () => {
  it('hit the published endpoints', () => {
    const rgb = (name: Parameters<typeof colormapLut>[0], i: number) => Array.from(colormapLut(name).subarray(i * 3, i * 3 + 3));
    expect(rgb('viridis', 0)).toEqual([0x44, 0x01, 0x54]);
    expect(rgb('viridis', 255)).toEqual([0xfd, 0xe7, 0x25]);
    expect(rgb('inferno', 0)).toEqual([0, 0, 4]);
    expect(rgb('inferno', 255)).toEqual([0xfc, 0xff, 0xa4]);
    expect(rgb('jet', 0)).toEqual([0, 0, 128]);
    expect(rgb('jet', 255)).toEqual([128, 0, 0]);
    // turbo (polynomial fit, loose at t=0): blue → bright green middle → dark red.
    const [r0, , b0] = rgb('turbo', 32);
    expect(b0! > r0!).toBe(true);
    const [, g1] = rgb('turbo', 128);
    expect(g1!).toBeGreaterThan(200);
    const [r2, , b2] = rgb('turbo', 255);
    expect(r2! > 100 && b2! < 30).toBe(true);
  });

  it('overlays with alpha and builds a legend', () => {
    const photo = { width: 2, height: 1, data: new Uint8ClampedArray([100, 100, 100, 255, 0, 0, 0, 255]) };
    const heat = { width: 2, height: 1, data: Float32Array.from([1, 0]) };
    const o = overlay(photo, heat, 'jet', 0.5);
    expect(Array.from(o.data)).toEqual([114, 50, 50, 255, 0, 0, 64, 255]);
    expect(Array.from(colorize(heat, 'jet').data.subarray(0, 4))).toEqual([128, 0, 0, 255]);
    expect(legendStrip('viridis', 256, 4).data.length).toBe(256 * 4 * 4);
  });
});
