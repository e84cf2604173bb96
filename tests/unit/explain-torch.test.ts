/** Grad-CAM and Grad-CAM++ grids and class probabilities equal an independent PyTorch rebuild (tests/reference). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { camGrid } from '../../src/explain/compute/cam-core';
import { npyFloat32 } from '../../src/explain/compute/export-formats';
import { viewPixels } from '../../src/explain/compute/views';
import type { PlainNet } from '../../src/core/net/plain-net';
import { maxAbs, maxAbsDiff, modelDir, readPhoto, repoRoot, useBackend } from './net-fixtures';

let net: PlainNet;
const dir = mkdtempSync(path.join(tmpdir(), 'onirique-torch-'));

beforeAll(async () => {
  await useBackend('wasm');
  ({ net } = await loadPlainNetFromDir(modelDir));
});
afterAll(() => {
  net.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('PyTorch reference (MobileNet rebuilt from the same tfjs shards)', () => {
  for (const [photo, cls] of [['coffee.png', 967], ['chelsea.png', 285]] as const) {
    it(`${photo}: probs, Grad-CAM and Grad-CAM++ grids for class ${cls}`, async () => {
      const img = await readPhoto(photo);
      const rgb = viewPixels(img, { x: 0, y: 0, w: img.width, h: img.height }, 224);
      const x = net.fromRgbFloat(rgb, 224, 224);
      const xs = Float32Array.from(await x.data());
      // The .npy writer is exercised here too: numpy must read it back.
      writeFileSync(path.join(dir, 'x.npy'), npyFloat32(xs, [224, 224, 3]));
      execFileSync('/usr/bin/python3', [path.join(repoRoot, 'tests/reference/mobilenet_torch.py'), modelDir, '--input', path.join(dir, 'x.npy'), '--cls', String(cls), '--out', path.join(dir, 'out.json')], {
        env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
      });
      const ref = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as { probs: number[]; gradcam: number[]; gradcampp: number[] };
      const [probs] = net.forward(x, ['probs']);
      expect(maxAbsDiff(await probs!.data(), ref.probs)).toBeLessThanOrEqual(1e-4);
      probs!.dispose();
      for (const [method, r] of [['gradcam', ref.gradcam], ['gradcam++', ref.gradcampp]] as const) {
        const g = await camGrid(net, x, { method, layer: 'conv_pw_13_relu', classIndex: cls, scoreCamChannels: 0, scoreCamBatch: 1 });
        expect([g.width, g.height]).toEqual([7, 7]);
        expect(maxAbs(r)).toBeGreaterThan(0);
        expect(maxAbsDiff(g.data, r) / maxAbs(r)).toBeLessThan(1e-3);
      }
      x.dispose();
    });
  }
});
