/** Faithfulness scores: a known answer on a hand-built model, the real MobileNet on a real photo, batching and Cancel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { AbortError } from '../../src/core/job';
import { buildPlainNet, type PlainNet } from '../../src/core/net/plain-net';
import { explainCam } from '../../src/explain/compute/explain';
import { faithfulness, infill, saliencyRanks } from '../../src/explain/compute/faithfulness';
import { faithfulnessParams } from '../../src/explain/compute/faithfulness-records';
import { camParams } from '../../src/explain/ui/cam-export';
import { bestCell, curvePath } from '../../src/explain/ui/faithfulness-view';
import { modelDir, readPhoto, useBackend } from './net-fixtures';
import { redSquareModel } from './red-square-model';

/** A 128×96 gray photo with an S×S red square at (sx, sy). */
function squarePhoto(sx: number, sy: number, S: number): { width: number; height: number; data: Uint8ClampedArray } {
  const W = 128, H = 96;
  const data = new Uint8ClampedArray(W * H * 4).fill(128);
  for (let y = sy; y < sy + S; y++) for (let x = sx; x < sx + S; x++) data.set([255, 0, 0, 255], (y * W + x) * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width: W, height: H, data };
}

const invert = (m: Float32Array) => m.map((v) => 1 - v);

beforeAll(() => useBackend('wasm'));

describe('infill and ranks', () => {
  it('keeps known pixels, fills a hole from its surroundings', () => {
    const size = 32;
    const rgb = new Float32Array(size * size * 3);
    const known = new Uint8Array(size * size).fill(1);
    for (let i = 0; i < size * size; i++) rgb.set([200, 50, 10], i * 3);
    for (let y = 12; y < 20; y++) 
      for (let x = 12; x < 20; x++) {
        known[y * size + x] = 0;
        rgb.set([0, 255, 255], (y * size + x) * 3);
      }
    const out = infill(rgb, known, size);
    expect(Array.from(out.subarray(0, 3))).toEqual([200, 50, 10]);
    const c = (16 * size + 16) * 3;
    expect(out[c]).toBeCloseTo(200, 3);
    expect(out[c + 1]).toBeCloseTo(50, 3);
    expect(out[c + 2]).toBeCloseTo(10, 3);
  });

  it('ranks by saliency, highest first, and scatters ties instead of taking them in reading order', () => {
    const map = new Float32Array(1000);
    map[500] = 1;
    map[3] = 0.5;
    const rank = saliencyRanks(map);
    expect(rank[500]).toBe(0);
    expect(rank[3]).toBe(1);
    // Of the tied zeros, the first 100 taken are spread over the whole array, not its start.
    const taken = Array.from(rank.keys()).filter((i) => rank[i]! >= 2 && rank[i]! < 102);
    expect(Math.max(...taken) - Math.min(...taken)).toBeGreaterThan(800);
    expect(new Set(rank).size).toBe(1000);
  });
});

describe('constructed model with a known answer', () => {
  it('the red square’s own CAM scores best; a map pointing elsewhere scores below zero', async () => {
    const model = redSquareModel();
    const tiny = buildPlainNet(model, { inputSize: 64, range: '0..1', labels: ['gray', 'red'] });
    try {
      for (const [sx, sy] of [[10, 8], [80, 50]] as const) {
        const photo = squarePhoto(sx, sy, 40);
        const cam = await explainCam(tiny, photo);
        expect(cam.classIndex).toBe(1);
        const right = await faithfulness(tiny, photo, cam.heat, 1);
        const wrong = await faithfulness(tiny, photo, invert(cam.heat), 1);
        const flat = await faithfulness(tiny, photo, new Float32Array(cam.heat.length), 1);
        expect(right.fractions).toHaveLength(9);
        expect(right.score).toBeGreaterThan(0.1);
        expect(right.score).toBeGreaterThan(flat.score + 0.05);
        expect(flat.score).toBeGreaterThan(wrong.score + 0.05);
        expect(Math.abs(flat.score)).toBeLessThan(0.05);
        expect(wrong.score).toBeLessThan(0);
        // Removing the square takes "red" down; keeping it alone keeps it up.
        expect(right.remove[0]).toBeLessThan(right.base - 0.1);
        // Once the top 20 % covers the square (13 % of the view), nothing red is left: the no-evidence 50 %.
        expect(right.remove[1]).toBeCloseTo(0.5, 2);
        expect(right.keep[0]).toBeGreaterThan(right.remove[0]! + 0.1);
      }
    } finally {
      tiny.dispose();
      model.dispose();
    }
  });
});

describe('real MobileNet on a real photo', () => {
  let net: PlainNet;
  beforeAll(async () => {
    ({ net } = await loadPlainNetFromDir(modelDir));
  });
  afterAll(() => net.dispose());

  it('removing the Grad-CAM region of the espresso lowers its confidence; the map beats its inverse', async () => {
    const coffee = await readPhoto('coffee.png');
    const cam = await explainCam(net, coffee, { method: 'gradcam' });
    expect(cam.classIndex).toBe(967);
    const progress: number[] = [];
    const r = await faithfulness(net, coffee, cam.heat, 967, { batch: 5 }, { onProgress: (p) => progress.push(p.fraction) });
    expect(r.base).toBeCloseTo(cam.prob, 2);
    expect(r.remove[4]).toBeLessThan(r.base * 0.5);
    expect(r.score).toBeGreaterThan(0);
    const inverse = await faithfulness(net, coffee, invert(cam.heat), 967);
    expect(r.score).toBeGreaterThan(inverse.score + 0.1);
    // 19 pictures in passes of 5: four passes, the last one complete.
    expect(progress).toEqual([5 / 19, 10 / 19, 15 / 19, 1]);
    const p = faithfulnessParams(r);
    expect(p['onirique:faithfulness']).toBe(r.score.toFixed(4));
    expect(p['onirique:faithfulness-keep']!.split(',')).toHaveLength(9);
  });

  it('stops between passes when cancelled and refuses a map of the wrong size', async () => {
    const coffee = await readPhoto('coffee.png');
    const ac = new AbortController();
    const heat = new Float32Array(coffee.width * coffee.height);
    await expect(faithfulness(net, coffee, heat, 967, { batch: 4 }, { signal: ac.signal, onProgress: () => ac.abort() })).rejects.toBeInstanceOf(AbortError);
    await expect(faithfulness(net, coffee, heat.subarray(1), 967)).rejects.toThrow(/sizes differ/);
    await expect(faithfulness(net, coffee, heat, 5000)).rejects.toThrow(/outside/);
  });
});

describe('what the panel shows and exports of the scores', () => {
  const f = { classIndex: 967, fractions: [0.1, 0.5, 0.9], base: 0.9, keep: [0.8, 1, 0.9], remove: [0.2, 0, 0.5], score: 0.5 };

  it('draws each curve across the box, probability 1 at the top', () => {
    expect(curvePath(f.fractions, f.keep, 100, 50)).toBe('M0.0,10.0 L50.0,0.0 L100.0,5.0');
    expect(curvePath(f.fractions, f.remove, 100, 50)).toBe('M0.0,40.0 L50.0,50.0 L100.0,25.0');
  });

  it('exports the scores with the map once computed, and names the grid’s best method', () => {
    const cam = {
      settings: { method: 'gradcam' as const, layer: 'conv_pw_13_relu', fit: 'resize' as const, tilesAcross: 2, smooth: false, scoreCamChannels: 128 },
      classIndex: 967, label: 'espresso', prob: 0.9, width: 1, height: 1, raw: new Float32Array(1), heat: new Float32Array(1),
      model: { id: 'm', name: 'M', sha256: null }, source: 'coffee.png',
    };
    expect(camParams(cam, null)['onirique:faithfulness']).toBeUndefined();
    const p = camParams({ ...cam, faithfulness: f }, null);
    expect(p).toMatchObject({ 'onirique:faithfulness': '0.5000', 'onirique:faithfulness-keep': '0.8000,1.0000,0.9000', 'onirique:faithfulness-fractions': '0.10,0.50,0.90' });
    const cell = (method: 'gradcam' | 'scorecam', score: number) => ({ method, rect: { x: 0, y: 0, w: 1, h: 1 }, faithfulness: { ...f, score } });
    expect(bestCell([cell('gradcam', 0.2), cell('scorecam', 0.4)])?.method).toBe('scorecam');
    expect(bestCell([])).toBeNull();
  });
});
