// Explain benchmark rows: classification, Grad-CAM and one input-gradient at 224 per tfjs backend
// (wasm, cpu) on the plain-op MobileNet, against PyTorch CPU (2 threads, OMP_WAIT_POLICY=PASSIVE so
// a shared machine does not stall its spin-waits) on the same weights rebuilt from the tfjs shards
// by tests/reference/mobilenet_torch.py, in the same run. Env: EXPLAIN_BENCH_BACKENDS=wasm,cpu.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const modelDir = resolve(root, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
const photo = resolve(root, '..', 'shared', 'photos', 'coffee.png');
const CLS = 967;

async function bundle() {
  const outfile = resolve(root, 'dist', 'bench', 'explain-entry.cjs');
  await build({
    stdin: {
      contents: `
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
export { tf };
export { loadPlainNetFromDir } from './electron/cli/model-files';
export { classifyImage } from './renderer/worker/compute/explain/explain';
export { camGrid } from './renderer/worker/compute/explain/cam-core';
export { viewInput } from './renderer/worker/compute/explain/views';
`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
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
    x.dispose();
    net.dispose();
    out.push(
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
