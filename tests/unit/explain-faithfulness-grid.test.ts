/** The method grid: every method's tile, curves and score in one picture, its PNG text and CSV. */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlainNet } from '../../src/core/net/plain-net';
import { burnIn } from '../../src/explain/compute/cam-composite';
import { explainCam } from '../../src/explain/compute/explain';
import { faithfulness } from '../../src/explain/compute/faithfulness';
import { drawText, textWidth } from '../../src/explain/compute/grid-draw';
import { methodGridCsv, methodGridParams } from '../../src/explain/compute/faithfulness-records';
import { methodGrid } from '../../src/explain/compute/method-grid';
import { useBackend } from './net-fixtures';
import { redSquareModel } from './red-square-model';

beforeAll(() => useBackend('wasm'));

describe('method grid', () => {
  it('puts each method’s overlay, curves and score in its cell, and records the scores as text and CSV', async () => {
    const model = redSquareModel();
    const tiny = buildPlainNet(model, { inputSize: 64, range: '0..1', labels: ['gray', 'red'] });
    const W = 128, H = 96;
    const data = new Uint8ClampedArray(W * H * 4).fill(128);
    for (let y = 20; y < 60; y++) for (let x = 30; x < 70; x++) data.set([255, 0, 0, 255], (y * W + x) * 4);
    const photo = { width: W, height: H, data };
    const methods = ['gradcam', 'hirescam', 'scorecam', 'guided'] as const;
    const fractions: number[] = [];
    try {
      const r = await methodGrid(tiny, photo, {}, { methods: [...methods], columns: 3 }, { onProgress: (p) => fractions.push(p.fraction) });
      expect(r.classIndex).toBe(1);
      expect(r.label).toBe('red');
      expect(r.columns).toBe(3);
      expect(r.cells.map((c) => c.method)).toEqual(methods);
      // Progress only goes forward and ends at the end.
      expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
      expect(fractions.at(-1)).toBeCloseTo(1, 6);
      // Two rows of three cells.
      expect(r.cells[3]!.rect.y).toBeGreaterThan(r.cells[0]!.rect.y + r.cells[0]!.rect.h);
      expect(r.cells[1]!.rect.x).toBeGreaterThan(r.cells[0]!.rect.x + r.cells[0]!.rect.w);
      // The Grad-CAM tile is the Grad-CAM overlay (a 128×96 photo fits the 256 tile as it is) and its score is its map's.
      const cam = await explainCam(tiny, photo, { method: 'gradcam' });
      const expected = burnIn(photo, cam.heat, 'jet', 0.5, null);
      const { x, y, w, h } = r.cells[0]!.rect;
      expect([w, h]).toEqual([W, H]);
      let diff = 0;
      for (let yy = 0; yy < h; yy++)
        for (let xx = 0; xx < w; xx++)
          for (let c = 0; c < 3; c++) diff = Math.max(diff, Math.abs(r.image.data[((y + yy) * r.image.width + x + xx) * 4 + c]! - expected.data[(yy * W + xx) * 4 + c]!));
      expect(diff).toBe(0);
      expect(r.cells[0]!.faithfulness.score).toBeCloseTo((await faithfulness(tiny, photo, cam.heat, 1)).score, 6);
      expect(r.cells[0]!.faithfulness.score).toBeGreaterThan(0.1);
      const text = methodGridParams(r);
      expect(text['onirique:methods']).toBe('gradcam,hirescam,scorecam,guided');
      expect(text['onirique:faithfulness:gradcam']).toBe(r.cells[0]!.faithfulness.score.toFixed(4));
      const csv = methodGridCsv(r).trim().split('\n');
      expect(csv).toHaveLength(5);
      expect(csv[0]!.split(',').slice(0, 6)).toEqual(['method', 'class', 'label', 'probability', 'faithfulness', 'base']);
      expect(csv[0]!.split(',')).toHaveLength(6 + 18);
      expect(csv[3]!.startsWith('scorecam,1,red,')).toBe(true);
    } finally {
      tiny.dispose();
      model.dispose();
    }
  });

  it('writes labels in a pixel font: ink where the glyph is, none outside its box', () => {
    const img = { width: 40, height: 12, data: new Uint8ClampedArray(40 * 12 * 4) };
    drawText(img, 'i1', 1, 1, [255, 255, 255], 2);
    expect(textWidth('i1', 2)).toBe(14);
    const lit = (x: number, y: number) => img.data[(y * 40 + x) * 4] === 255;
    // 'i' has a full top bar: three columns of 2 pixels.
    expect([lit(1, 1), lit(3, 1), lit(5, 1)]).toEqual([true, true, true]);
    // Nothing beyond the two glyphs.
    for (let y = 0; y < 12; y++) for (let x = 16; x < 40; x++) expect(lit(x, y)).toBe(false);
  });
});
