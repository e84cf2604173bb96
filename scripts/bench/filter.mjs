// Filter benchmark: the convolution engine on a 12 MP photo vs scipy convolve2d, scipy.ndimage.convolve
// and OpenCV filter2D, all measured in the same run. `rows()` returns the table rows; run directly to print them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleEntry } from './bundle-entry.mjs';
import sharp from 'sharp';
import { appBuilt, withAppPage } from './app-page.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = '/usr/bin/python3';
const W = 4000;
const H = 3000;

function loadEngine() {
  return bundleEntry('filter-engine.mjs', [
        "export { convolveResponse, applyFilter } from './src/filter/compute/convolve';",
        "export { presetOptions } from './src/filter/compute/kernels';",
        "export { initNodeBackend } from './src/cli/node-backend';",
        "export { setSimdDisabled } from './src/filter/compute/simd/simd-loader';",
        "export * as tf from '@tensorflow/tfjs';",
      ].join('\n'));
}

/** Seeded dense kernel so the 15x15 row has full rank (no separable shortcut). */
function denseKernel(n, seed) {
  let s = seed >>> 0;
  return Array.from({ length: n }, () =>
    Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32) * 2 - 1;
    }),
  );
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall and CPU (user + system) milliseconds; CPU time is the steadier number on a busy machine. */
async function time(fn, reps) {
  await fn(); // warm-up: wasm compiles its kernels on first use
  const wall = [];
  const cpu = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(wall), cpuMs: median(cpu) };
}

const PY = String.raw`
import json, sys, time
import numpy as np, scipy.signal as ss, scipy.ndimage as nd, cv2
from PIL import Image
spec = json.load(open(sys.argv[1]))
rgb = np.fromfile(spec["rgb"], dtype=np.uint8).reshape(spec["h"], spec["w"], 3)
L = np.asarray(Image.fromarray(rgb, "RGB").convert("L"), dtype=np.float64)
L32 = L.astype(np.float32)
def tm(f, reps):
    ts, cs = [], []
    for _ in range(reps):
        c = time.process_time(); t = time.perf_counter(); f()
        ts.append((time.perf_counter() - t) * 1000); cs.append((time.process_time() - c) * 1000)
    # process_time sums all threads: OpenCV's threads count in full.
    return {"ms": sorted(ts)[len(ts) // 2], "cpuMs": sorted(cs)[len(cs) // 2]}
out = {}
for case in spec["cases"]:
    k = np.array(case["kernel"], dtype=np.float64)
    k32 = k.astype(np.float32)
    slow = k.size > 9
    out[case["name"]] = {
        "scipy.signal.convolve2d": tm(lambda: ss.convolve2d(L, k, mode="same"), 1 if slow else 3),
        "scipy.ndimage.convolve": tm(lambda: nd.convolve(L, k, mode="constant"), 1 if k.size > 50 else 3),
        "cv2.filter2D f32": tm(lambda: cv2.filter2D(L32, -1, k32[::-1, ::-1], borderType=cv2.BORDER_CONSTANT), 5),
    }
print(json.dumps(out))
`;

/** Runs in the page: the app's own `filter` op (applyFilter → 8-bit RGBA) in its worker, median ms. */
async function inPage({ cases, w, h }) {
  const compute = window.__onirique.compute;
  const bytes = new Uint8ClampedArray(await (await fetch('/__bench/photo.rgba')).arrayBuffer());
  const out = { threads: navigator.hardwareConcurrency, isolated: self.crossOriginIsolated, ms: {} };
  for (const c of cases) {
    // A fresh copy per call: the client transfers (detaches) the image buffer it posts.
    const run = () => compute.call('filter', { image: { width: w, height: h, data: bytes.slice() }, options: c.opts });
    await run(); // warm-up: XNNPACK operators built
    const t = [];
    for (let i = 0; i < c.reps; i++) {
      const s = performance.now();
      await run();
      t.push(performance.now() - s);
    }
    out.ms[c.name] = t.sort((a, b) => a - b)[Math.floor(c.reps / 2)];
  }
  return out;
}

/**
 * The same cases through the built app's compute worker in Debian Chromium (dist/web/server.cjs,
 * cross-origin isolated, so tfjs-wasm has threads): how the app runs. Null without a build.
 */
async function workerTimes(rgba, cases) {
  if (!appBuilt()) return null;
  const route = (page) => page.route('**/__bench/photo.rgba', (r) => r.fulfill({ body: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), contentType: 'application/octet-stream' }));
  return withAppPage((page) => page.evaluate(inPage, { cases, w: W, h: H }), { setup: route });
}

/** Benchmark rows: one per (case, backend, reference). */
export async function rows() {
  const eng = await loadEngine();
  const { data } = await sharp(resolve(root, '..', 'shared', 'photos', 'dandelions_5312x2988.jpg'))
    .resize(W, H, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rgba = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    rgba[4 * i] = data[3 * i];
    rgba[4 * i + 1] = data[3 * i + 1];
    rgba[4 * i + 2] = data[3 * i + 2];
    rgba[4 * i + 3] = 255;
  }
  const image = { width: W, height: H, data: rgba };
  const gauss = eng.presetOptions('gaussian', { sigma: 1.2, size: 7 });
  const cases = [
    { name: '3x3 article edges, luma, 12 MP', opts: eng.presetOptions('edges-horizontal'), backends: ['wasm', 'cpu'] },
    { name: '7x7 Gaussian (separable), luma, 12 MP', opts: gauss, backends: ['wasm', 'cpu'] },
    { name: '15x15 dense, luma, 12 MP', opts: { kernel: { matrix: denseKernel(15, 42) }, combine: 'none' }, backends: ['wasm', 'cpu'] },
  ];
  const engine = {};
  // The tfjs-wasm and tfjs-cpu rows measure those paths as before the SIMD kernel (as where
  // WebAssembly SIMD is missing); the SIMD rows below measure what auto now takes on both.
  eng.setSimdDisabled(true);
  for (const c of cases) {
    for (const b of c.backends) {
      await eng.initNodeBackend(b);
      const reps = b === 'cpu' || c.name.startsWith('15') ? (b === 'cpu' && c.name.startsWith('15') ? 1 : 2) : 5;
      engine[`${c.name}|${b}`] = await time(() => eng.convolveResponse(image, { ...c.opts, flip: true }), reps);
      if (c.name.startsWith('3x3')) {
        engine[`${c.name} → 8-bit RGBA|${b}`] = await time(() => eng.applyFilter(image, { ...c.opts, flip: true }), reps);
      }
    }
  }
  eng.setSimdDisabled(false);
  await eng.initNodeBackend('wasm');
  for (const c of cases) {
    const reps = c.name.startsWith('15') ? 2 : 5;
    const simd = { ...c.opts, flip: true, layout: 'simd' };
    engine[`${c.name}|simd`] = await time(() => eng.convolveResponse(image, simd), reps);
    engine[`${c.name} → 8-bit RGBA|simd`] = await time(() => eng.applyFilter(image, simd), reps);
  }
  const worker = await workerTimes(rgba, cases.map((c) => ({ name: c.name, opts: { ...c.opts, flip: true }, reps: c.name.startsWith('15') ? 3 : 5 })));
  if (worker) {
    for (const c of cases) engine[`${c.name} → 8-bit RGBA|auto path, Chromium worker, ${worker.threads} threads`] = { ms: worker.ms[c.name], cpuMs: NaN };
  }
  const dir = mkdtempSync(join(tmpdir(), 'onirique-bench-filter-'));
  let ref;
  try {
    writeFileSync(join(dir, 'rgb.raw'), data);
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ rgb: join(dir, 'rgb.raw'), w: W, h: H, cases: cases.map((c) => ({ name: c.name, kernel: c.opts.kernel.matrix })) }));
    writeFileSync(join(dir, 'bench.py'), PY);
    ref = JSON.parse(execFileSync(PYTHON, [join(dir, 'bench.py'), join(dir, 'spec.json')], { encoding: 'utf8', maxBuffer: 1 << 20 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = [];
  for (const [key, t] of Object.entries(engine)) {
    const [name, backend] = key.split('|');
    const base = cases.find((c) => name.startsWith(c.name));
    for (const [refName, r] of Object.entries(ref[base.name])) {
      // On tfjs-cpu the engine runs its direct typed-array loops (filter-direct.ts), not tfjs ops.
      const label =
        backend === 'cpu' ? 'onirique, tfjs-cpu backend (direct loops)'
        : backend === 'simd' ? 'onirique WebAssembly SIMD kernel (1 thread)'
        : backend.includes('Chromium') ? `onirique ${backend}` : `onirique tfjs-${backend}`;
      out.push({ name, engine: label, ms: Math.round(t.ms), refName, refMs: Math.round(r.ms), cpuMs: Number.isNaN(t.cpuMs) ? NaN : Math.round(t.cpuMs), refCpuMs: Math.round(r.cpuMs) });
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await rows();
  console.log('case | engine | ms (cpu) | reference | ms (cpu) | speed-up wall (cpu)');
  for (const x of r) {
    const cpu = Number.isNaN(x.cpuMs) ? ['—', '—'] : [x.cpuMs, `×${(x.refCpuMs / x.cpuMs).toFixed(2)}`];
    console.log(`${x.name} | ${x.engine} | ${x.ms} (${cpu[0]}) | ${x.refName} | ${x.refMs} (${x.refCpuMs}) | ×${(x.refMs / x.ms).toFixed(2)} (${cpu[1]})`);
  }
}
