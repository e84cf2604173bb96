/**
 * Every CAM method against an independent PyTorch implementation written from the papers
 * (tests/reference/cam_torch.py) on the same weights and the same 224 inputs: 4 photos × 2 layers ×
 * 2 classes (top-1, top-2). The grid Pearson r must be ≥ 0.999 in every case.
 * EXPLAIN_R_TABLE=1 prints the method × min r table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { camGrid, type CamGridOptions } from '../../src/explain/compute/cam-core';
import { explainCam } from '../../src/explain/compute/explain';
import { npyFloat32 } from '../../src/explain/compute/export-formats';
import { viewPixels } from '../../src/explain/compute/views';
import type { PlainNet } from '../../src/core/net/plain-net';
import type { RgbaImage } from '../../src/core/image';
import { modelDir, readPhoto, repoRoot, useBackend } from './net-fixtures';
import { pearson } from './explain-methods-fixtures';

type Spec = { key: string; method: CamGridOptions['method'] | 'guided'; eigen?: boolean; upsample?: 'half-pixel' | 'align-corners'; topChannels?: number };

const SPECS: Spec[] = [
  { key: 'gradcam', method: 'gradcam' },
  { key: 'gradcam++', method: 'gradcam++' },
  { key: 'guided', method: 'guided' },
  { key: 'hirescam', method: 'hirescam' },
  { key: 'xgradcam', method: 'xgradcam' },
  { key: 'layercam', method: 'layercam' },
  { key: 'eigencam', method: 'eigencam' },
  { key: 'eigengradcam', method: 'eigengradcam' },
  { key: 'ablationcam', method: 'ablationcam' },
  { key: 'gradcam+eigen', method: 'gradcam', eigen: true },
  { key: 'layercam+eigen', method: 'layercam', eigen: true },
  // Score-CAM on the 32 most active channels (the same list goes to PyTorch) in both conventions;
  // all channels on one case below (768 masked forwards per case is a benchmark, not a unit test).
  { key: 'scorecam top-32 half-pixel', method: 'scorecam', topChannels: 32, upsample: 'half-pixel' },
  { key: 'scorecam top-32 align-corners', method: 'scorecam', topChannels: 32, upsample: 'align-corners' },
];
const PHOTOS = ['coffee.png', 'chelsea.png', 'astronaut.png', 'rocket.jpg'];
const LAYERS = ['conv_pw_13_relu', 'conv_pw_11_relu'];

interface Case {
  photo: RgbaImage;
  file: string;
  layer: string;
  cls: number;
  channels: number[];
}

let net: PlainNet;
const dir = mkdtempSync(path.join(tmpdir(), 'onirique-cams-'));
const cases: Case[] = [];
let ref: number[][][];

/** The 224 photo as 8-bit RGBA (so explainCam's own view of it is exactly the model input). */
async function photo224(name: string): Promise<RgbaImage> {
  const img = await readPhoto(name);
  const rgb = viewPixels(img, { x: 0, y: 0, w: img.width, h: img.height }, 224);
  const data = new Uint8ClampedArray(224 * 224 * 4);
  for (let i = 0; i < 224 * 224; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.round(rgb[i * 3 + c]!);
    data[i * 4 + 3] = 255;
  }
  return { width: 224, height: 224, data };
}

function inputOf(p: RgbaImage) {
  return net.preprocess(p);
}

async function topChannels(p: RgbaImage, layer: string, n: number): Promise<number[]> {
  const x = inputOf(p);
  const [act] = net.forward(x, [layer]);
  const v = await act!.data();
  const k = act!.shape[3]!;
  tf_dispose([x, act!]);
  const mean = new Float64Array(k);
  for (let i = 0; i < v.length; i++) mean[i % k]! += v[i]!;
  return Array.from({ length: k }, (_, i) => i)
    .sort((a, b) => mean[b]! - mean[a]!)
    .slice(0, n)
    .sort((a, b) => a - b);
}

function tf_dispose(ts: { dispose(): void }[]): void {
  for (const t of ts) t.dispose();
}

/** Ours for one case and spec: the grid, or the guided image's RGB as floats. */
async function ours(c: Case, s: Spec, channels: number[] | null): Promise<Float32Array> {
  if (s.method === 'guided') {
    const r = await explainCam(net, c.photo, { method: 'guided', layer: c.layer, classIndex: c.cls });
    const out = new Float32Array(224 * 224 * 3);
    for (let i = 0; i < 224 * 224; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = r.guided!.data[i * 4 + k]!;
    return out;
  }
  const x = inputOf(c.photo);
  try {
    const g = await camGrid(net, x, {
      method: s.method,
      layer: c.layer,
      classIndex: c.cls,
      scoreCamChannels: channels ? channels.length : 0,
      scoreCamBatch: 16,
      scoreCamUpsample: s.upsample ?? 'half-pixel',
      eigenSmooth: s.eigen ?? false,
    });
    return g.data;
  } finally {
    x.dispose();
  }
}

beforeAll(async () => {
  await useBackend('wasm');
  ({ net } = await loadPlainNetFromDir(modelDir));
  const jobCases = [];
  for (const [pi, name] of PHOTOS.entries()) {
    const p = await photo224(name);
    const x = inputOf(p);
    const file = path.join(dir, `x${pi}.npy`);
    writeFileSync(file, npyFloat32(Float32Array.from(await x.data()), [224, 224, 3]));
    const [probs] = net.forward(x, ['probs']);
    const pr = await probs!.data();
    tf_dispose([x, probs!]);
    const top2 = Array.from(pr, (v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 2)
      .map(([, i]) => i);
    for (const layer of LAYERS)
      for (const cls of top2) {
        const channels = await topChannels(p, layer, 32);
        cases.push({ photo: p, file, layer, cls, channels });
        const methods = SPECS.map((s) => ({ method: s.method, eigen: s.eigen ?? false, upsample: s.upsample, channels: s.topChannels ? channels : null }));
        jobCases.push({ input: file, layer, cls, methods });
      }
  }
  // One all-channels Score-CAM case (coffee, conv_pw_13_relu, top-1; both conventions are checked on top-32 above).
  jobCases.push({ input: cases[0]!.file, layer: cases[0]!.layer, cls: cases[0]!.cls, methods: [{ method: 'scorecam', upsample: 'half-pixel', channels: null }] });
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify({ cases: jobCases }));
  execFileSync('/usr/bin/python3', [path.join(repoRoot, 'tests/reference/cam_torch.py'), modelDir, path.join(dir, 'job.json'), path.join(dir, 'out.json')], {
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  ref = (JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as { results: number[][][] }).results;
}, 900_000);

afterAll(() => {
  net?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('every CAM method equals PyTorch written from the papers (r ≥ 0.999, 16 cases each)', () => {
  const minR = new Map<string, number>();
  for (const [si, s] of SPECS.entries()) {
    it(s.key, async () => {
      let worst = 1;
      for (const [ci, c] of cases.entries()) {
        const mine = await ours(c, s, s.topChannels ? c.channels : null);
        const theirs = ref[ci]![si]!;
        expect(mine.length).toBe(theirs.length);
        const r = pearson(mine, theirs);
        worst = Math.min(worst, r);
        expect(r, `${s.key} ${c.file} ${c.layer} class ${c.cls}`).toBeGreaterThanOrEqual(0.999);
      }
      minR.set(s.key, worst);
    }, 600_000);
  }
  it('Score-CAM on all 768 channels', async () => {
    const r = pearson(await ours(cases[0]!, { key: 'all', method: 'scorecam' }, null), ref[cases.length]![0]!);
    minR.set('scorecam all channels (1 case)', r);
    expect(r).toBeGreaterThanOrEqual(0.999);
  }, 600_000);
  afterAll(() => {
    if (process.env.EXPLAIN_R_TABLE) for (const [k, r] of minR) console.log(`R_TABLE ${k.padEnd(40)} ${r.toFixed(6)}`);
  });
});
