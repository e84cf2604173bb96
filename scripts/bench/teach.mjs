// Teach benchmark rows: pooled conv_pw_13_relu feature extraction (ms per 224 photo, batches of 8) and a
// classifier head trained on 200 photos x 20 epochs (features cached), then both together (the goal
// here: <= 60 s on wasm), against PyTorch CPU (2 threads, OMP_WAIT_POLICY=PASSIVE) on the same weights
// and sizes (scripts/bench/teach-torch.py), in the same run. Env: TEACH_BENCH_BACKENDS=wasm (or wasm,cpu).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleEntry } from './bundle-entry.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const modelDir = resolve(root, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
const photos = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'dandelions_5312x2988.jpg'].map((p) => resolve(root, '..', 'shared', 'photos', p));
const PHOTOS = 200;
const EPOCHS = 20;

function bundle() {
  return bundleEntry('teach-entry.cjs', `
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
export { tf };
export { loadPlainNetFromDir } from './src/cli/model-files';
export { readImageFile } from './src/cli/image-files';
export { planViews, renderView } from './src/teach/compute/augment';
export { extractFeatures } from './src/teach/compute/features';
export { trainHead } from './src/teach/compute/head';
export { stratifiedSplit } from './src/teach/compute/split';
`, 'cjs');
}

/** PyTorch CPU (2 threads) feature and head times in ms. */
function torchTimes() {
  const r = spawnSync('/usr/bin/python3', [resolve(here, 'teach-torch.py'), modelDir, '--photos', String(PHOTOS), '--epochs', String(EPOCHS), '--threads', '2'], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** 200 distinct 224 views (random crops, flips, jitter) of the real photos, 40 per photo, decoded once. */
async function views(m) {
  const out = [];
  for (const [c, p] of photos.entries()) {
    const img = await m.readImageFile(p);
    const plans = m.planViews(img.width, img.height, { flip: true, crop: true, jitter: true, views: PHOTOS / photos.length }, c + 1);
    for (const plan of plans) out.push({ rgb: m.renderView(img, plan, 224), label: c });
  }
  return out;
}

/** Benchmark rows for scripts/bench.mjs. */
export async function rows() {
  if (!existsSync(modelDir)) throw new Error(`model not found: ${modelDir}`);
  const m = await bundle();
  const v = await views(m);
  const torch = torchTimes();
  const ref = 'PyTorch CPU 2 threads';
  const out = [];
  for (const backend of (process.env.TEACH_BENCH_BACKENDS ?? 'wasm').split(',')) {
    if (!(await m.tf.setBackend(backend))) throw new Error(`${backend} did not start`);
    await m.tf.ready();
    const { net } = await m.loadPlainNetFromDir(modelDir);
    const src = { count: v.length, size: 224, view: async (i) => v[i].rgb };
    await m.extractFeatures(net, 'conv_pw_13_relu', { ...src, count: 8 }, 8); // warm-up: kernels compiled
    let t = performance.now();
    const table = await m.extractFeatures(net, 'conv_pw_13_relu', src, 8);
    const featMs = performance.now() - t;
    net.dispose();
    const labels = v.map((x) => x.label);
    const split = m.stratifiedSplit(labels, photos.length, 0.2, 1);
    const set = (idx) => ({ rows: idx, labels: idx.map((i) => labels[i]) });
    t = performance.now();
    const head = await m.trainHead(table, set(split.train), set(split.val), photos.length, { epochs: EPOCHS, patience: 0 });
    const headMs = performance.now() - t;
    const valAcc = head.history.at(-1).valAccuracy;
    out.push(
      { name: `features conv_pw_13_relu, ms per 224 photo (${(1000 / (featMs / PHOTOS)).toFixed(1)} photos/s)`, engine: `tfjs-${backend}`, ms: featMs / PHOTOS, refName: ref, refMs: torch.feature_ms_per_photo },
      { name: `head: ${PHOTOS} photos x ${EPOCHS} epochs, cached features (val acc ${valAcc.toFixed(2)})`, engine: `tfjs-${backend}`, ms: headMs, refName: ref, refMs: torch.head_ms },
      { name: `train: features + head, ${PHOTOS} photos x ${EPOCHS} epochs (goal <= 60 s)`, engine: `tfjs-${backend}`, ms: featMs + headMs, refName: ref, refMs: torch.total_ms },
    );
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await rows()) console.log(JSON.stringify(r));
}
