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

/** Benchmark rows for scripts/bench.mjs. */
export async function rows() {
  if (!appBuilt()) throw new Error('dist/web/server.cjs missing: npm run build first');
  const images = { coffee: await rgba('coffee.png', 224, 'fill'), 224: await rgba('chelsea.png', 224, 'cover'), 512: await rgba('chelsea.png', 512, 'cover') };
  const data = mkdtempSync(join(tmpdir(), 'onirique-bench-data-'));
  mkdirSync(join(data, 'models'));
  symlinkSync(modelDir, join(data, 'models', 'bench-mobilenet'));
  let r;
  try {
    r = await withAppPage((page) => page.evaluate(inPage, { images, layer: LAYER, cls: CLS, reps: 7 }), { dataDir: data, portBase: 4440 });
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
  const torch = torchTimes(5);
  const torchDream = { 224: torchStep(224, 5), 512: torchStep(512, 3) };
  const engine = `tfjs-wasm, Chromium worker, ${r.threads} threads`;
  const ref = 'PyTorch CPU 2 threads';
  return [
    { name: 'classify op, 224 photo (MobileNet v1 0.75)', engine, ms: r.classify, refName: ref, refMs: torch.classify_ms },
    { name: 'gradcam op, 224 photo conv_pw_13_relu (classify + CAM)', engine, ms: r.gradcam, refName: ref, refMs: torch.gradcam_ms },
    { name: `dream op, 1 step ${LAYER} 224x224`, engine, ms: r.dream224, refName: ref, refMs: torchDream[224] },
    { name: `dream op, 1 step ${LAYER} 512x512`, engine, ms: r.dream512, refName: ref, refMs: torchDream[512] },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await rows()) console.log(JSON.stringify(r));
}
