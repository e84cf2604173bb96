// Worker rows (issues 4 and 6): classify, Grad-CAM and one dream step run by the built app's own
// compute worker in Debian Chromium (dist/web/server.cjs, cross-origin isolated, so tfjs-wasm runs
// with threads = navigator.hardwareConcurrency): what users get, unlike the single-threaded Node
// rows of explain.mjs and dream.mjs. References in the same run: PyTorch CPU, 2 threads, on the
// same weights (the explain.mjs and dream.mjs reference scripts). Needs `npm run build` first.
// Each op is timed in the page around the worker call (postMessage both ways included), median.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appBuilt, withAppPage } from './app-page.mjs';
import { torchStep } from './dream.mjs';
import { torchTimes } from './explain.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const modelDir = resolve(root, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
const photos = resolve(root, '..', 'shared', 'photos');
const LAYER = 'conv_pw_9_relu';
const CLS = 967;

async function rgba(name, size, fit) {
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(resolve(photos, name)).resize(size, size, { fit }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: Array.from(data) };
}

/** Runs in the page: times the app worker's ops through the editor's ComputeClient. */
async function inPage({ images, layer, cls, reps }) {
  const compute = window.__onirique.compute;
  const img = (i) => ({ width: i.width, height: i.height, data: new Uint8ClampedArray(i.data) });
  const url = new URL('models/bench-mobilenet/model.json', location.href).href;
  await compute.call('loadModel', { id: 'bench-mobilenet', source: { url }, inputSize: 224, range: '-1..1' });
  const time = async (fn) => {
    await fn(); // warm-up: kernels compiled, XNNPACK operators built
    const t = [];
    for (let i = 0; i < reps; i++) {
      const s = performance.now();
      await fn();
      t.push(performance.now() - s);
    }
    return t.sort((a, b) => a - b)[Math.floor(reps / 2)];
  };
  // A fresh copy per call: the client transfers (detaches) the image buffer it posts.
  const coffee = () => img(images.coffee);
  const out = { threads: navigator.hardwareConcurrency, isolated: self.crossOriginIsolated };
  out.classify = await time(() => compute.call('classify', { modelId: 'bench-mobilenet', image: coffee(), options: { topK: 5 } }));
  const cam = { method: 'gradcam', layer: 'conv_pw_13_relu', classIndex: cls };
  out.gradcam = await time(() => compute.call('gradcam', { modelId: 'bench-mobilenet', image: coffee(), options: cam }));
  const step = { layers: [{ name: layer, weight: 1 }], octaves: 1, steps: 1, jitter: 0, tile: 4096, previewSize: 0 };
  for (const size of [224, 512]) {
    out[`dream${size}`] = await time(() => compute.call('dream', { modelId: 'bench-mobilenet', image: img(images[size]), mask: null, options: step }));
  }
  return out;
}

/** Rounds of (our ops, then PyTorch): this VM's speed drifts by up to 2x within minutes. */
const ROUNDS = 3;

/** Benchmark rows for scripts/bench.mjs. */
export async function rows() {
  if (!appBuilt()) throw new Error('dist/web/server.cjs missing: npm run build first');
  const images = { coffee: await rgba('coffee.png', 224, 'fill'), 224: await rgba('chelsea.png', 224, 'cover'), 512: await rgba('chelsea.png', 512, 'cover') };
  const data = mkdtempSync(join(tmpdir(), 'onirique-bench-data-'));
  mkdirSync(join(data, 'models'));
  symlinkSync(modelDir, join(data, 'models', 'bench-mobilenet'));
  // Each round times our ops and then PyTorch's right after, so a ratio compares like with like;
  // the row reports the medians over rounds of both times and of the per-round ratios.
  const rounds = [];
  let threads = 0;
  try {
    await withAppPage(async (page) => {
      for (let i = 0; i < ROUNDS; i++) {
        const ours = await page.evaluate(inPage, { images, layer: LAYER, cls: CLS, reps: 5 });
        threads = ours.threads;
        const torch = torchTimes(5);
        rounds.push({ ours, ref: { classify: torch.classify_ms, gradcam: torch.gradcam_ms, dream224: torchStep(224, 5), dream512: torchStep(512, 3) } });
      }
    }, { dataDir: data, portBase: 4440 });
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const engine = `tfjs-wasm, Chromium worker, ${threads} threads`;
  const ref = `PyTorch CPU 2 threads (${ROUNDS} alternating rounds)`;
  const row = (name, key) => {
    const ratios = rounds.map((r) => r.ref[key] / r.ours[key]);
    return {
      name: `${name}; ratio per round ${ratios.map((x) => x.toFixed(2)).join(' / ')}`,
      engine, ms: median(rounds.map((r) => r.ours[key])), refName: ref, refMs: median(rounds.map((r) => r.ref[key])), ratio: median(ratios),
    };
  };
  return [
    row('classify op, 224 photo (MobileNet v1 0.75)', 'classify'),
    row('gradcam op, 224 photo conv_pw_13_relu (classify + CAM)', 'gradcam'),
    row(`dream op, 1 step ${LAYER} 224x224`, 'dream224'),
    row(`dream op, 1 step ${LAYER} 512x512`, 'dream512'),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await rows()) console.log(JSON.stringify(r));
}
