// Load benchmark: 400 filter operations and 50 CNN operations (classify and Grad-CAM at 224, alternating)
// in one Node process on the wasm backend, with the CLI's own modules, after a warm-up. It looks for
// leaks, not speed: tfjs tensors before and after (must be equal), RSS and the wasm heap after the
// warm-up and at the end. No reference tool: the "reference" column is the state after the warm-up.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bundleEntry } from './bundle-entry.mjs';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelDir = resolve(root, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
const photo = resolve(root, '..', 'shared', 'photos', 'coffee.png');
const FILTERS = 400;
const CNN = 50;
const CLS = 967;

function loadModules() {
  return bundleEntry('load-entry.mjs', [
        "export { applyFilter } from './src/filter/compute/convolve';",
        "export { presetOptions } from './src/filter/compute/kernels';",
        "export { classifyImage, explainCam } from './src/explain/compute/explain';",
        "export { loadPlainNetFromDir } from './src/cli/model-files';",
        "export { initNodeBackend } from './src/cli/node-backend';",
        "export * as tf from '@tensorflow/tfjs';",
      ].join('\n'));
}

async function rgba(width, height) {
  const { data, info } = await sharp(photo).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** The wasm backend's heap in bytes, where tfjs exposes it (its Emscripten module's memory); else null. */
function wasmHeap(tf) {
  const bytes = tf.backend()?.wasm?.HEAPU8?.buffer?.byteLength;
  return typeof bytes === 'number' ? bytes : null;
}

const MB = 2 ** 20;

// A full collection before each reading, so RSS shows what is kept, not what is garbage yet
// (`node scripts/bench.mjs` is not started with --expose-gc; the flag is set from here).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** Settled memory: tfjs tensors and bytes, RSS and the wasm heap, after a full collection. */
function snapshot(tf) {
  gc();
  return { tensors: tf.memory().numTensors, tfBytes: tf.memory().numBytes, rss: process.memoryUsage().rss, heap: wasmHeap(tf) };
}

/** The filter mix: four presets in turn, luma and RGB, on a 512 x 384 photo. */
function filterCases(m) {
  return [
    { ...m.presetOptions('edges-horizontal') },
    { ...m.presetOptions('gaussian', { sigma: 1.2, size: 7 }), channels: 'rgb' },
    { ...m.presetOptions('box') },
    { ...m.presetOptions('sharpen'), channels: 'rgb' },
  ];
}

/** One round: every filter case once and the CNN pair once, or `filters` / `cnn` operations in turn. */
async function work(m, net, small, cam, filters, cnn) {
  const cases = filterCases(m);
  for (let i = 0; i < filters; i++) await m.applyFilter(small, cases[i % cases.length]);
  for (let i = 0; i < cnn; i++) {
    if (i % 2 === 0) await m.classifyImage(net, cam);
    else await m.explainCam(net, cam, { method: 'gradcam', classIndex: CLS });
  }
}

/** Benchmark rows for scripts/bench.mjs. */
export async function rows() {
  if (!existsSync(modelDir)) throw new Error(`model not found: ${modelDir}`);
  const m = await loadModules();
  const backend = await m.initNodeBackend('wasm');
  if (backend !== 'wasm') throw new Error(`wasm backend did not start (got ${backend})`);
  const { net } = await m.loadPlainNetFromDir(modelDir);
  const small = await rgba(512, 384);
  const cam = await rgba(224, 224);
  // Warm-up: wasm kernels compiled, weights uploaded, the allocator's first growth done.
  await work(m, net, small, cam, 8, 4);
  const before = snapshot(m.tf);
  const t0 = performance.now();
  // Two halves: RSS that grows in the first and not in the second is the allocator settling, not a leak.
  await work(m, net, small, cam, FILTERS / 2, CNN / 2);
  const half = snapshot(m.tf);
  await work(m, net, small, cam, FILTERS / 2, CNN / 2);
  const ms = performance.now() - t0;
  const after = snapshot(m.tf);
  net.dispose();
  const leak = after.tensors === before.tensors ? 'equal' : `LEAK: ${after.tensors - before.tensors} tensors`;
  const what = `${FILTERS} filters (512x384) + ${CNN} classify/Grad-CAM 224`;
  const out = [
    { name: `load: ${what}, wall`, engine: 'tfjs-wasm', ms, refName: null, refMs: null },
    { name: `load: tf.memory().numTensors, after vs before (${leak})`, engine: 'tfjs-wasm', ms: after.tensors, unit: 'tensors', refName: 'after warm-up', refMs: before.tensors },
    { name: `load: tf.memory().numBytes, after vs before`, engine: 'tfjs-wasm', ms: after.tfBytes / MB, unit: 'MB', refName: 'after warm-up', refMs: before.tfBytes / MB },
    { name: `load: RSS half-way (growth ${((half.rss - before.rss) / MB).toFixed(1)} MB)`, engine: 'node', ms: half.rss / MB, unit: 'MB', refName: 'after warm-up', refMs: before.rss / MB },
    { name: `load: RSS at the end (growth ${((after.rss - before.rss) / MB).toFixed(1)} MB; second half ${((after.rss - half.rss) / MB).toFixed(1)} MB)`, engine: 'node', ms: after.rss / MB, unit: 'MB', refName: 'after warm-up', refMs: before.rss / MB },
  ];
  if (after.heap !== null && before.heap !== null) {
    out.push({ name: `load: wasm heap at the end (growth ${((after.heap - before.heap) / MB).toFixed(1)} MB)`, engine: 'tfjs-wasm', ms: after.heap / MB, unit: 'MB', refName: 'after warm-up', refMs: before.heap / MB });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await rows()) console.log(JSON.stringify(r));
}
