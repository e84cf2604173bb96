// Deep Dream benchmark rows: one dream step at 224 and 512 px per tfjs backend (wasm, cpu) against
// PyTorch CPU (2 threads, OMP_WAIT_POLICY=PASSIVE so a shared machine does not stall its spin-waits;
// same weights rebuilt by dream-torch.py), and peak RSS dreaming a 24 MP
// photo with tiles (1 octave, 1 step) in a child process. Env: DREAM_BENCH_MP (default 24),
// DREAM_BENCH_TILE (default 512), DREAM_BENCH_SKIP_RSS=1, DREAM_BENCH_BACKENDS=wasm,cpu (empty: RSS row only).
// Pattern-size rows (wasm, DREAM_BENCH_SKIP_PATTERN=1 skips them): a default panel stroke on the 16 MP photo,
// a whole-photo default dream of it (engine/CLI defaults, auto pattern size: time and peak RSS, child process)
// and one dream-zoom frame at 1 MP.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const modelDir = resolve(root, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
const photos = resolve(root, '..', 'shared', 'photos');
const LAYER = 'conv_pw_9_relu';
const step = { layers: [{ name: LAYER, weight: 1 }], octaves: 1, steps: 1, jitter: 0, tile: 4096, previewSize: 0 };

async function bundle() {
  const outfile = resolve(root, 'dist', 'bench', 'dream-entry.cjs');
  await build({ entryPoints: [resolve(here, 'dream-entry.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile, logLevel: 'warning' });
  return import(pathToFileURL(outfile).href);
}

async function photo(size) {
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(resolve(photos, 'chelsea.png')).resize(size, size, { fit: 'cover' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** PyTorch CPU (2 threads): median ms of one dream step at size×size. */
export function torchStep(size, reps) {
  const r = spawnSync('/usr/bin/python3', [resolve(here, 'dream-torch.py'), 'bench', modelDir, String(size), String(reps), LAYER], { encoding: 'utf8', env: { ...process.env, DREAM_TORCH_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' } });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()).ms;
}

/** Peak RSS of a child process that dreams one big photo with tiles. */
function peakRss(mp, tile) {
  const script = `
const m = require(${JSON.stringify(resolve(root, 'dist', 'bench', 'dream-entry.cjs'))});
const sharp = require('sharp');
(async () => {
  await m.useBackend('wasm');
  const w = Math.round(Math.sqrt(${mp} * 1e6 * 3 / 2)), h = Math.round(w * 2 / 3);
  const { data, info } = await sharp(${JSON.stringify(resolve(photos, 'dandelions_5312x2988.jpg'))}).resize(w, h, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  const net = await m.loadDreamNet(${JSON.stringify(modelDir)});
  const base = process.resourceUsage().maxRSS;
  const r = await m.timeDream(img, net.net, { octaves: 1, steps: 1, tile: ${tile}, tileOverlap: 64, jitter: 32, previewSize: 0 });
  console.log(JSON.stringify({ w, h, ms: r.ms, tiles: r.tiles, peakMB: process.resourceUsage().maxRSS / 1024, beforeMB: base / 1024, wasmHeapMB: m.tf.backend().wasm.HEAPU8.byteLength / 1048576 }));
})().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`peak RSS run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Child process: the 16 MP photo at full size, then `what` (stroke | whole | zoom) timed, with peak RSS. */
function patternRun(what) {
  const script = `
const m = require(${JSON.stringify(resolve(root, 'dist', 'bench', 'dream-entry.cjs'))});
const sharp = require('sharp');
(async () => {
  await m.useBackend('wasm');
  const what = ${JSON.stringify(what)};
  let s = sharp(${JSON.stringify(resolve(photos, 'dandelions_5312x2988.jpg'))});
  if (what === 'zoom') s = s.resize(1224, 816, { fit: 'fill' });
  const { data, info } = await s.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  const net = await m.loadDreamNet(${JSON.stringify(modelDir)});
  let r;
  if (what === 'stroke') {
    await m.timeStroke(img, net.net);
    r = await m.timeStroke(img, net.net);
  } else if (what === 'whole') r = await m.timeDream(img, net.net, { previewSize: 0 });
  else {
    const t = performance.now();
    const z = await m.timeDream(m.zoomIn(img, 1.05), net.net, { previewSize: 0 });
    r = { ...z, ms: performance.now() - t };
  }
  console.log(JSON.stringify({ w: img.width, h: img.height, ...r, peakMB: process.resourceUsage().maxRSS / 1024 }));
})().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`pattern-size ${what} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** The pattern-size rows: default stroke and whole-photo dream on 16 MP, one zoom frame at 1 MP. */
export function patternRows() {
  const stroke = patternRun('stroke');
  const whole = patternRun('whole');
  const zoom = patternRun('zoom');
  const mp = (r) => ((r.w * r.h) / 1e6).toFixed(1);
  return [
    { name: `default panel stroke on ${r16(stroke)} (${mp(stroke)} MP): crop ${stroke.crop}, pattern size ${stroke.patternSize.toFixed(2)}, ${stroke.tiles} tile passes`, engine: 'tfjs-wasm', ms: stroke.ms, refName: 'issue target 3 s', refMs: 3000 },
    { name: `whole-photo default dream ${r16(whole)} (${mp(whole)} MP), auto pattern size: peak RSS ${Math.round(whole.peakMB)} MB`, engine: 'tfjs-wasm', ms: whole.ms, refName: null, refMs: null, peakRssMB: Math.round(whole.peakMB), tiles: whole.tiles },
    { name: `dream-zoom frame ${r16(zoom)} (${mp(zoom)} MP), zoom 1.05, default dream`, engine: 'tfjs-wasm', ms: zoom.ms, refName: null, refMs: null },
  ];
}

const r16 = (r) => `${r.w}x${r.h}`;

/** Benchmark rows for scripts/bench.mjs. */
export async function rows() {
  if (!existsSync(modelDir)) throw new Error(`model not found: ${modelDir}`);
  const m = await bundle();
  const sizes = [224, 512];
  const backends = (process.env.DREAM_BENCH_BACKENDS ?? 'wasm,cpu').split(',').filter(Boolean);
  const torch = backends.length ? Object.fromEntries(sizes.map((s) => [s, torchStep(s, s === 224 ? 5 : 3)])) : {};
  const out = [];
  for (const backend of backends) {
    await m.useBackend(backend);
    const net = await m.loadDreamNet(modelDir);
    for (const size of sizes) {
      const img = await photo(size);
      const reps = backend === 'cpu' && size === 512 ? 1 : 3;
      await m.timeDream(img, net.net, step); // warm-up: kernels compiled, weights uploaded
      const times = [];
      for (let i = 0; i < reps; i++) times.push((await m.timeDream(img, net.net, step)).ms);
      out.push({ name: `dream step ${LAYER} ${size}x${size}`, engine: `tfjs-${backend}`, ms: median(times), refName: 'PyTorch CPU 2 threads', refMs: torch[size] });
    }
    net.dispose();
  }
  if (process.env.DREAM_BENCH_SKIP_PATTERN !== '1') out.push(...patternRows());
  if (process.env.DREAM_BENCH_SKIP_RSS !== '1') {
    const mp = Number(process.env.DREAM_BENCH_MP ?? 24);
    const tile = Number(process.env.DREAM_BENCH_TILE ?? 512);
    const r = peakRss(mp, tile);
    out.push({
      name: `dream ${r.w}x${r.h} (${((r.w * r.h) / 1e6).toFixed(1)} MP) tile ${tile}, 1 octave 1 step: peak RSS ${Math.round(r.peakMB)} MB (wasm heap ${Math.round(r.wasmHeapMB)} MB)`,
      engine: 'tfjs-wasm', ms: r.ms, refName: null, refMs: null, peakRssMB: Math.round(r.peakMB), wasmHeapMB: Math.round(r.wasmHeapMB), tiles: r.tiles,
    });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await rows()) console.log(JSON.stringify(r));
}
