// Explain benchmark rows: classification, Grad-CAM and one input-gradient at 224 per tfjs backend
// (wasm, cpu) on the plain-op MobileNet, against PyTorch CPU (2 threads, OMP_WAIT_POLICY=PASSIVE so
// a shared machine does not stall its spin-waits) on the same weights rebuilt from the tfjs shards
// by tests/reference/mobilenet_torch.py, in the same run. Every other CAM method too (HiResCAM … Score-CAM
// on all channels), each against the same method in tests/reference/cam_torch.py; guided Grad-CAM is
// the whole explainCam on ours (classify included). Env: EXPLAIN_BENCH_BACKENDS=wasm,cpu.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleEntry } from './bundle-entry.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const modelDir = resolve(root, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
const photo = resolve(root, '..', 'shared', 'photos', 'coffee.png');
const CLS = 967;

function bundle() {
  return bundleEntry('explain-entry.cjs', `
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
export { tf };
export { loadPlainNetFromDir } from './src/cli/model-files';
export { classifyImage } from './src/explain/compute/explain';
export { camGrid } from './src/explain/compute/cam-core';
export { viewInput } from './src/explain/compute/views';
export { explainCam } from './src/explain/compute/explain';
export { npyFloat32 } from './src/explain/compute/export-formats';
export { faithfulness } from './src/explain/compute/faithfulness';
export { methodGrid } from './src/explain/compute/method-grid';
`, 'cjs');
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** PyTorch CPU (2 threads) classify / Grad-CAM / input-gradient times in ms, medians over `reps`. */
export function torchTimes(reps) {
  const r = spawnSync('/usr/bin/python3', [resolve(root, 'tests', 'reference', 'mobilenet_torch.py'), modelDir, '--bench', String(reps), '--threads', '2'], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function time(fn, reps) {
  await fn(); // warm-up: kernels compiled, weights uploaded
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  return median(t);
}

/** Every CAM method, as [row name, camGrid method or 'guided', options, repeats]; Score-CAM all channels once (768 masked forwards). */
const METHODS = [
  ['Grad-CAM++', 'gradcam++', {}, 5],
  ['guided Grad-CAM', 'guided', {}, 3],
  ['HiResCAM', 'hirescam', {}, 5],
  ['XGrad-CAM', 'xgradcam', {}, 5],
  ['Layer-CAM', 'layercam', {}, 5],
  ['Eigen-CAM', 'eigencam', {}, 5],
  ['Eigen-Grad-CAM', 'eigengradcam', {}, 5],
  ['Ablation-CAM (all 768 channels)', 'ablationcam', {}, 2],
  ['Score-CAM top-128 channels', 'scorecam', { scoreCamChannels: 128 }, 1],
  ['Score-CAM all 768 channels', 'scorecam', { scoreCamChannels: 0 }, 1],
];

/** PyTorch CPU (2 threads) times of the same methods (tests/reference/cam_torch.py) on the same input, ms. */
function torchMethodTimes(m, x, channels128) {
  const dir = mkdtempSync(resolve(tmpdir(), 'onirique-bench-'));
  try {
    writeFileSync(resolve(dir, 'x.npy'), m.npyFloat32(x, [224, 224, 3]));
    const methods = METHODS.map(([key, method, o, reps]) => ({ key, method, reps, channels: o.scoreCamChannels ? channels128 : null }));
    writeFileSync(resolve(dir, 'job.json'), JSON.stringify({ cases: [{ input: resolve(dir, 'x.npy'), layer: 'conv_pw_13_relu', cls: CLS, methods }] }));
    const r = spawnSync('/usr/bin/python3', [resolve(root, 'tests', 'reference', 'cam_torch.py'), modelDir, resolve(dir, 'job.json'), resolve(dir, 'out.json')], {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', CAM_TORCH_THREADS: '2' },
    });
    if (r.status !== 0) throw new Error(`PyTorch CAM reference failed: ${r.stderr || r.error}`);
    return JSON.parse(readFileSync(resolve(dir, 'out.json'), 'utf8')).ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The 128 most active channels of the last conv layer (the Score-CAM top-k both sides score). */
async function topChannels(m, net, x, n) {
  const [act] = net.forward(x, [net.lastConvLayer]);
  const v = await act.data();
  const k = act.shape[3];
  act.dispose();
  const mean = new Float64Array(k);
  for (let i = 0; i < v.length; i++) mean[i % k] += v[i];
  return [...mean.keys()].sort((a, b) => mean[b] - mean[a]).slice(0, n).sort((a, b) => a - b);
}

/** Rows of every CAM method at 224 on one backend, each against the same method in PyTorch. */
async function methodRows(m, net, img, x, backend, torchMs) {
  const out = [];
  for (const [name, method, o, reps] of METHODS) {
    // The all-channel per-channel methods take minutes on the plain JS backend: wasm only.
    if (backend === 'cpu' && (method === 'scorecam' || method === 'ablationcam')) continue;
    const fn =
      method === 'guided'
        ? () => m.explainCam(net, img, { method: 'guided', classIndex: CLS })
        : () => m.camGrid(net, x, { method, layer: net.lastConvLayer, classIndex: CLS, scoreCamChannels: 0, scoreCamBatch: 16, ...o });
    out.push({ name: `${name} 224 conv_pw_13_relu`, engine: `tfjs-${backend}`, ms: await time(fn, reps), refName: 'PyTorch CPU 2 threads', refMs: torchMs[name] });
  }
  return out;
}

/**
 * The faithfulness score of one Grad-CAM map (19 forward passes) and the method grid of the photo
 * (every method, each scored, composed into one PNG-ready picture); no desktop tool to compare with.
 * The grid runs Score-CAM and Ablation-CAM on their default channels: wasm only, once.
 */
async function gridRows(m, net, img, backend) {
  const cam = await m.explainCam(net, img, { method: 'gradcam', classIndex: CLS });
  const faith = await time(() => m.faithfulness(net, img, cam.heat, CLS), backend === 'cpu' ? 2 : 3);
  const out = [{ name: 'faithfulness of one map (k = 10…90 %, 19 forwards) 224', engine: `tfjs-${backend}`, ms: faith, refName: null, refMs: null }];
  if (backend === 'wasm') {
    const s = performance.now();
    const g = await m.methodGrid(net, img, { classIndex: CLS });
    const best = g.cells.reduce((b, c) => (c.faithfulness.score > b.faithfulness.score ? c : b));
    out.push({ name: `method grid, ${g.cells.length} methods with faithfulness, coffee.png 224 (best: ${best.method} ${best.faithfulness.score.toFixed(3)})`, engine: `tfjs-${backend}`, ms: performance.now() - s, refName: null, refMs: null });
  }
  return out;
}

/** Benchmark rows for scripts/bench.mjs. */
export async function rows() {
  if (!existsSync(modelDir)) throw new Error(`model not found: ${modelDir}`);
  const m = await bundle();
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(photo).resize(224, 224, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  const torch = torchTimes(5);
  const ref = 'PyTorch CPU 2 threads';
  const out = [];
  let torchMs = null;
  for (const backend of (process.env.EXPLAIN_BENCH_BACKENDS ?? 'wasm,cpu').split(',')) {
    if (!(await m.tf.setBackend(backend))) throw new Error(`${backend} did not start`);
    await m.tf.ready();
    const { net } = await m.loadPlainNetFromDir(modelDir);
    const reps = backend === 'cpu' ? 3 : 5;
    const x = m.viewInput(net, img, { x: 0, y: 0, w: 224, h: 224 });
    const classify = await time(() => m.classifyImage(net, img), reps);
    const cam = await time(() => m.camGrid(net, x, { method: 'gradcam', layer: net.lastConvLayer, classIndex: CLS, scoreCamChannels: 0, scoreCamBatch: 1 }), reps);
    const mask = m.tf.oneHot([CLS], net.numClasses);
    const grad = await time(async () => {
      const g = m.tf.grad((xi) => m.tf.sum(m.tf.mul(net.forward(xi, ['logits'])[0], mask)))(x);
      await g.data();
      g.dispose();
    }, reps);
    mask.dispose();
    if (!torchMs) torchMs = torchMethodTimes(m, Float32Array.from(await x.data()), await topChannels(m, net, x, 128));
    const methods = await methodRows(m, net, img, x, backend, torchMs);
    methods.push(...(await gridRows(m, net, img, backend)));
    x.dispose();
    net.dispose();
    out.push(...methods,
      { name: 'classify 224 (MobileNet v1 0.75)', engine: `tfjs-${backend}`, ms: classify, refName: ref, refMs: torch.classify_ms },
      { name: 'Grad-CAM 224 conv_pw_13_relu', engine: `tfjs-${backend}`, ms: cam, refName: ref, refMs: torch.gradcam_ms },
      { name: 'input gradient d(logit)/d(x) 224', engine: `tfjs-${backend}`, ms: grad, refName: ref, refMs: torch.input_grad_ms },
    );
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await rows()) console.log(JSON.stringify(r));
}
