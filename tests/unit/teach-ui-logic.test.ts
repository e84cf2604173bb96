/** The Teach panel's pure logic: train blockers, chart scales and ticks, paths, filters as images and kernels, misclassified photos. */
import { describe, expect, it } from 'vitest';
import type { LayerFilters } from '../../src/teach/compute/teach-op';
import { chartDomain, epochFromMetrics, filterImage, kernelFromFilter, linearScale, linePath, misclassified, niceTicks, runningShape, trainBlocker } from '../../src/teach/ui/teach-logic';

const cls = (name: string, photos: number) => ({ name, photos });

describe('trainBlocker', () => {
  it('says what is missing, in order, and nothing once 2..20 named classes of 2+ photos are there', () => {
    expect(trainBlocker([cls('a', 2), cls('b', 2)], false, false)).toBe('teach.blocked.model');
    expect(trainBlocker([cls('a', 2), cls('b', 2)], true, true)).toBe('teach.blocked.job');
    expect(trainBlocker([cls('a', 2)], true, false)).toBe('teach.blocked.classes');
    expect(trainBlocker(Array.from({ length: 21 }, (_, i) => cls(`c${i}`, 2)), true, false)).toBe('teach.blocked.classes');
    expect(trainBlocker([cls('a', 2), cls(' a ', 2)], true, false)).toBe('teach.blocked.names');
    expect(trainBlocker([cls('a', 2), cls('  ', 2)], true, false)).toBe('teach.blocked.names');
    expect(trainBlocker([cls('a', 2), cls('b', 1)], true, false)).toBe('teach.blocked.photos');
    expect(trainBlocker([cls('a', 2), cls('b', 3)], true, false)).toBeNull();
  });
});

describe('chart scales', () => {
  it('maps linearly, y flipped when asked, and a flat domain to the middle', () => {
    const s = linearScale(0, 2, 100, 0);
    expect([s(0), s(1), s(2)]).toEqual([100, 50, 0]);
    expect(linearScale(3, 3, 0, 10)(3)).toBe(5);
  });

  it('gives round ticks inside the domain', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 20, 5)).toEqual([5, 10, 15, 20]);
    expect(niceTicks(0, 2.31, 4)).toEqual([0, 1, 2]);
    expect(niceTicks(0, 2.31, 8)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });

  it('spans the planned epochs and the largest finite loss; accuracy is 0..1', () => {
    const h = [{ epoch: 1, loss: 2, accuracy: 0.5, valLoss: NaN, valAccuracy: NaN, etaSeconds: 3 }];
    expect(chartDomain(h, 10, 'loss')).toEqual({ x: [1, 10], y: [0, 2.1] });
    expect(chartDomain(h, 10, 'accuracy').y).toEqual([0, 1]);
  });

  it('draws a path that breaks at NaN', () => {
    expect(linePath([[0, 1], [2, 3], [4, NaN], [5, 6]])).toBe('M0.0,1.0L2.0,3.0M5.0,6.0');
    expect(linePath([])).toBe('');
  });

  it('reads an epoch back from progress metrics, and ignores other reports', () => {
    expect(epochFromMetrics({ epoch: 2, loss: 0.5, accuracy: 1, valLoss: 0.7, valAccuracy: 0.5, etaSeconds: 4 })).toEqual({ epoch: 2, loss: 0.5, accuracy: 1, valLoss: 0.7, valAccuracy: 0.5, etaSeconds: 4 });
    expect(epochFromMetrics(undefined)).toBeNull();
    expect(epochFromMetrics({ fraction: 1 })).toBeNull();
  });
});

/** Two 3x3 RGB filters: #0 has R = x - 1, G = 0, B = x - 1 (a horizontal gradient); #1 is all 1. */
function filters(): LayerFilters {
  const kh = 3;
  const kw = 3;
  const count = 2;
  const weights = new Float32Array(kh * kw * 3 * count);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let c = 0; c < 3; c++) {
        const at = ((y * kw + x) * 3 + c) * count;
        weights[at] = c === 1 ? 0 : x - 1;
        weights[at + 1] = 1;
      }
    }
  }
  return { layer: 'conv1', type: 'Conv2D', kh, kw, inChannels: 3, count, depthwise: false, weights, first: true };
}

describe('filters', () => {
  it('sums the colour planes into a kernel whose absolute weights add to 1', () => {
    const k = kernelFromFilter(filters(), 0);
    expect(k).toEqual([[-1 / 6, 0, 1 / 6], [-1 / 6, 0, 1 / 6], [-1 / 6, 0, 1 / 6]].map((r) => r.map((v) => Math.round(v * 1e4) / 1e4)));
    expect(kernelFromFilter(filters(), 1).flat().every((v) => v === Math.round((1 / 9) * 1e4) / 1e4)).toBe(true);
  });

  it('draws a filter as an RGB image, 0 at mid grey, zoom pixels per weight', () => {
    const img = filterImage(filters(), 0, 2);
    expect([img.width, img.height]).toEqual([6, 6]);
    const px = (x: number, y: number) => [...img.data.subarray((y * 6 + x) * 4, (y * 6 + x) * 4 + 4)];
    expect(px(0, 0)).toEqual([0, 128, 0, 255]);
    expect(px(5, 5)).toEqual([255, 128, 255, 255]);
    expect(px(2, 3)).toEqual([128, 128, 128, 255]);
  });
});

describe('network and matrix helpers', () => {
  it('gives the running shape: the photo, then each change of shape', () => {
    const row = (outputShape: number[]) => ({ name: 'x', type: 't', kernel: '', stride: '', outputShape, params: 0, receptiveField: 1 as const });
    expect(runningShape([row([224, 224, 3]), row([112, 112, 32]), row([112, 112, 32]), row([-1, 2])], { width: 640, height: 480 })).toEqual(['640×480×3', '224×224×3', '112×112×32', '?×2']);
    expect(runningShape([], null)).toEqual([]);
  });

  it('lists each wrongly predicted photo once with its true and predicted class', () => {
    expect(misclassified([0, 0, 3, 5], [1, 1, 0, 2], [0, 1, 1, 1, 1, 2])).toEqual([{ photo: 0, truth: 0, predicted: 1 }, { photo: 3, truth: 1, predicted: 0 }]);
  });
});
