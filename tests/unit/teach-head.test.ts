/**
 * The classifier head learns from the first epochs: a few epochs on a few photos a class at the
 * default rate already separate two classes (the Teach panel's "train a few epochs" case), which a
 * random start of the kernel hid behind the random class preference it made of the features' mean.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureTable } from '../../src/teach/compute/features';
import { predictRows, trainHead } from '../../src/teach/compute/head';

const DIM = 768;

/** Rows like pooled ReLU features: a shared 0..1 background, plus +0.3 on the class's half of the dimensions. */
function table(classes: number[], seed: number): FeatureTable {
  const data = new Float32Array(classes.length * DIM);
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const shared = Float32Array.from({ length: DIM }, next);
  classes.forEach((c, r) => {
    for (let d = 0; d < DIM; d++) data[r * DIM + d] = shared[d]! * (0.8 + 0.4 * next()) + (Math.floor(d / (DIM / 2)) === c ? 0.3 : 0);
  });
  return { data, dim: DIM, rows: classes.length, missing: [] };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('trainHead', () => {
  it('three epochs on three rows a class at the default rate classify held-out rows right', async () => {
    const classes = [0, 0, 0, 1, 1, 1, 0, 1, 0, 1];
    const t = table(classes, 7);
    const train = { rows: [0, 1, 2, 3, 4, 5], labels: [0, 0, 0, 1, 1, 1] };
    const val = { rows: [6, 7, 8, 9], labels: [0, 1, 0, 1] };
    for (const seed of [1, 2, 3]) {
      const head = await trainHead(t, train, val, 2, { epochs: 3, patience: 0, seed });
      expect(head.history).toHaveLength(3);
      expect(head.history.at(-1)!.valAccuracy).toBe(1);
      expect([...predictRows(head, t, val.rows)]).toEqual(val.labels);
    }
  });

  it('starts from no preference: rows that look alike begin at an even split (loss ln 2 before any step)', async () => {
    const row = table([0], 3).data;
    const t: FeatureTable = { data: Float32Array.from([...row, ...row]), dim: DIM, rows: 2, missing: [] };
    // Zero learning rate: the head stays as it starts, so its loss is the start's.
    for (const seed of [1, 5]) {
      const head = await trainHead(t, { rows: [0, 1], labels: [0, 1] }, { rows: [], labels: [] }, 2, { epochs: 1, learningRate: 0, dropout: 0, seed });
      expect(head.history[0]!.loss).toBeCloseTo(Math.log(2), 4);
    }
  });
});
