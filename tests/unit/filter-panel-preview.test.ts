/**
 * The Filter panel's live preview geometry: a padded crop run in 'valid' mode must give exactly the
 * pixels a full-image run gives in that rectangle, for every border mode, channel mode and
 * dilation; stride/valid emulation must show the full run's kept pixels at their anchors.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFilter } from '../../src/filter/compute/convolve';
import { defaultFilterOptions, type BorderMode, type FilterOptions } from '../../src/filter/compute/filter-options';
import { presetOptions } from '../../src/filter/compute/kernels';
import { crop as cropRgba, downscaleBy, type Rect, type RgbaImage } from '../../src/core/image';
import {
  alignedRect,
  anchorOffset,
  CROPPED_COLOR,
  emulateOutputGeometry,
  kernelReach,
  limitRect,
  lowResRequest,
  previewRequest,
} from '../../src/filter/ui/preview-geometry';
import { crop, PYTHON, useWasm } from './filter-fixtures';

let photo: RgbaImage;
beforeAll(async () => {
  await useWasm();
  // Chelsea's face and whiskers: strong edges in every direction, 160x120.
  photo = await crop('chelsea.png', 150, 60, 160, 120);
});

/** Largest RGBA difference between a picture and the same-size window of a bigger one at (x, y). */
function windowDiff(small: RgbaImage, big: RgbaImage, x: number, y: number): number {
  let d = 0;
  for (let r = 0; r < small.height; r++) {
    for (let c = 0; c < small.width * 4; c++) {
      d = Math.max(d, Math.abs(small.data[r * small.width * 4 + c]! - big.data[((y + r) * big.width + x) * 4 + c]!));
    }
  }
  return d;
}

const asym: number[][] = [
  [1, -2, 0, 3, -1],
  [0, 4, -3, 0, 2],
  [-1, 0, 2, -2, 1],
];

const rects: Rect[] = [
  { x: 40, y: 30, w: 50, h: 40 }, // interior
  { x: 0, y: 10, w: 37, h: 60 }, // on the left edge
  { x: 120, y: 85, w: 40, h: 35 }, // bottom-right corner
  { x: 0, y: 0, w: 160, h: 120 }, // everything
];

describe('padded crop in valid mode equals the full run', () => {
  const borders: BorderMode[] = ['zero', 'replicate', 'reflect', 'symmetric', 'wrap'];
  for (const border of borders) {
    for (const [channels, dilation] of [['luma', 1], ['rgb', 2], ['sum', 1]] as const) {
      it(`${border}, ${channels}, dilation ${dilation}`, async () => {
        const opts: FilterOptions = { ...defaultFilterOptions, kernel: { matrix: asym, divisor: 3 }, border, channels, dilation, output: 'offset' };
        const full = await applyFilter(photo, opts);
        for (const rect of rects) {
          const req = previewRequest(photo, rect, opts);
          const part = await applyFilter(req.input, req.options);
          expect([part.width, part.height]).toEqual([rect.w, rect.h]);
          expect(windowDiff(part, full, rect.x, rect.y), JSON.stringify(rect)).toBeLessThanOrEqual(1);
        }
      });
    }
  }

  it('a whole-image preview of Sobel magnitude (abs-max) equals the applied result', async () => {
    const opts: FilterOptions = { ...defaultFilterOptions, ...presetOptions('sobel-magnitude') };
    const full = await applyFilter(photo, opts);
    const req = previewRequest(photo, rects[3]!, opts);
    const part = await applyFilter(req.input, req.options);
    expect(windowDiff(part, full, 0, 0)).toBeLessThanOrEqual(1);
    // A crop scales by its own max: it must differ from the full run somewhere (the tooltip's caveat).
    const inner = previewRequest(photo, rects[0]!, opts);
    const innerOut = await applyFilter(inner.input, inner.options);
    expect(windowDiff(innerOut, full, rects[0]!.x, rects[0]!.y)).toBeGreaterThan(1);
  });
});

describe('stride and valid emulation', () => {
  for (const [mode, stride, dilation] of [['same', 3, 1], ['valid', 1, 1], ['valid', 4, 2], ['same', 2, 3]] as const) {
    it(`${mode}, stride ${stride}, dilation ${dilation}`, async () => {
      const opts: FilterOptions = { ...defaultFilterOptions, kernel: { matrix: asym }, mode, stride, dilation, border: 'reflect', output: 'offset' };
      const full = await applyFilter(photo, opts);
      const reach = kernelReach(opts);
      const { ay, ax } = anchorOffset(opts, reach);
      for (const vis of rects) {
        const rect = alignedRect(vis, stride, ay, ax);
        expect(rect.x).toBeLessThanOrEqual(vis.x);
        expect(rect.x + rect.w).toBe(vis.x + vis.w);
        const req = previewRequest(photo, rect, opts);
        const shown = emulateOutputGeometry(await applyFilter(req.input, req.options), rect, photo.width, photo.height, opts);
        let checked = 0;
        let cropped = 0;
        let worst = 0;
        const badCrop: number[][] = [];
        for (let y = vis.y; y < vis.y + vis.h; y++) {
          for (let x = vis.x; x < vis.x + vis.w; x++) {
            const at = 4 * ((y - rect.y) * rect.w + (x - rect.x));
            const px = Array.from(shown.data.subarray(at, at + 4));
            const oy = Math.floor((y - ay) / stride);
            const ox = Math.floor((x - ax) / stride);
            if (y < ay || x < ax || oy >= full.height || ox >= full.width) {
              if (px.some((v, c) => v !== CROPPED_COLOR[c])) badCrop.push([x, y]);
              cropped++;
              continue;
            }
            const o = 4 * (oy * full.width + ox);
            for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(px[c]! - full.data[o + c]!));
            checked++;
          }
        }
        expect(badCrop).toEqual([]);
        expect(worst).toBeLessThanOrEqual(1);
        expect(checked).toBeGreaterThan(0);
        if (mode === 'valid' && vis.x === 0) expect(cropped).toBeGreaterThan(0);
      }
    });
  }
});

describe('screen-resolution pass', () => {
  it('downscale is the block mean (numpy reference)', () => {
    const small = cropRgba(photo, { x: 3, y: 5, w: 45, h: 31 });
    const f = 4;
    const got = downscaleBy(small, f);
    const py = `
import sys, json, numpy as np
d = json.load(sys.stdin)
a = np.array(d['data'], dtype=np.float64).reshape(d['h'], d['w'], 4)
f = d['f']
H, W = -(-d['h'] // f), -(-d['w'] // f)
out = [[[round(v) for v in a[y*f:(y+1)*f, x*f:(x+1)*f].reshape(-1, 4).mean(axis=0)] for x in range(W)] for y in range(H)]
print(json.dumps(out))`;
    const ref = JSON.parse(
      execFileSync(PYTHON, ['-c', py], { input: JSON.stringify({ data: Array.from(small.data), w: small.width, h: small.height, f }) }).toString(),
    ) as number[][][];
    expect([got.width, got.height]).toEqual([ref[0]!.length, ref.length]);
    let d = 0;
    ref.forEach((row, y) => row.forEach((px, x) => px.forEach((v, c) => (d = Math.max(d, Math.abs(v - got.data[4 * (y * got.width + x) + c]!))))));
    // Python rounds halves to even, JS up: at most one level apart.
    expect(d).toBeLessThanOrEqual(1);
  });

  it('the low-res request covers the rectangle plus its halo, downscaled', () => {
    const opts: FilterOptions = { ...defaultFilterOptions, ...presetOptions('gaussian', { sigma: 1 }) };
    const rect = { x: 20, y: 10, w: 100, h: 80 };
    const req = lowResRequest(photo, rect, opts, 3);
    expect(req.halo).toBe(3);
    expect([req.input.width, req.input.height]).toEqual([Math.ceil((100 + 18) / 3), Math.ceil((80 + 18) / 3)]);
    expect(req.options.mode).toBe('same');
  });

  it('limitRect keeps the centre and the size limit', () => {
    expect(limitRect({ x: 0, y: 0, w: 3000, h: 500 }, 1024)).toEqual({ x: 988, y: 0, w: 1024, h: 500 });
    expect(limitRect({ x: 7, y: 9, w: 100, h: 50 }, 1024)).toEqual({ x: 7, y: 9, w: 100, h: 50 });
  });
});
