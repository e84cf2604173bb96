/**
 * `run bench:gpu` in the GPU kit (bundled by scripts/gpu-kit.mjs): dream steps/s at 224, 512 and
 * 1024, classify and Grad-CAM ms, the 3x3 article filter on 12 MP, on webgpu and on wasm; then the
 * same work in PyTorch where torch with CUDA exists (gpu-torch.py). Args: MODEL_DIR [TORCH_SCRIPT].
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { initNodeBackend } from '../../src/cli/node-backend';
import { nodeGpuAdapter } from '../../src/cli/node-webgpu';
import type { RgbaImage } from '../../src/core/image';
import { dream } from '../../src/dream/compute/dream';
import { dreamNetFromPlain } from '../../src/dream/compute/plain-net-dream';
import { classifyImage, explainCam } from '../../src/explain/compute/explain';
import { applyFilter } from '../../src/filter/compute/convolve';

type Row = { work: string; unit: string; values: Record<string, number | string> };

function noise(w: number, h: number, seed = 1): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : ((s = (s * 1103515245 + 12345) >>> 0) >>> 24);
  return { width: w, height: h, data };
}

async function median(reps: number, f: () => Promise<unknown>): Promise<number> {
  await f(); // warm-up: shader compilation, XNNPACK packing
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

async function measure(backend: string, modelDir: string, rows: Row[], quick: boolean): Promise<void> {
  await initNodeBackend(backend);
  const { net } = await loadPlainNetFromDir(modelDir);
  const dnet = dreamNetFromPlain(net);
  const put = (work: string, unit: string, v: number) => {
    let row = rows.find((r) => r.work === work);
    if (!row) rows.push((row = { work, unit, values: {} }));
    row.values[backend] = v;
  };
  for (const size of quick ? [224] : [224, 512, 1024]) {
    const img = noise(size, size);
    const ms = await median(quick ? 1 : 3, () => dream(img, null, { steps: 1, octaves: 1, jitter: 0, tile: 1024 }, dnet));
    put(`dream step ${size}`, 'steps/s', 1000 / ms);
  }
  const photo = noise(224, 224, 7);
  put('classify 224', 'ms', await median(3, () => classifyImage(net, photo)));
  put('Grad-CAM 224', 'ms', await median(3, () => explainCam(net, photo, { method: 'gradcam', classIndex: 967 })));
  const big = noise(4000, 3000, 3);
  put('3x3 filter 12 MP', 'ms', await median(quick ? 1 : 3, () => applyFilter(big, {})));
  net.dispose();
}

function torchRows(modelDir: string, script: string | undefined, rows: Row[]): string {
  if (!script) return 'PyTorch: not measured (no script given)';
  const r = spawnSync('python3', [script, modelDir], { encoding: 'utf8' });
  if (r.status !== 0) return `PyTorch CUDA: not measured (${(r.stderr || String(r.error)).trim().split('\n').pop()})`;
  const t = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
  for (const row of rows) if (t[row.work] !== undefined) row.values['torch-cuda'] = t[row.work]!;
  return `PyTorch: ${t.device ?? 'cuda'}`;
}

async function main(): Promise<void> {
  const [modelDir, torchScript] = process.argv.slice(2);
  if (!modelDir) throw new Error('usage: bench-gpu MODEL_DIR [gpu-torch.py]');
  const adapter = await nodeGpuAdapter();
  const quick = process.env.BENCH_GPU_QUICK === '1';
  const rows: Row[] = [];
  const cols = ['webgpu', 'wasm'];
  console.log(`WebGPU adapter: ${adapter ? `${adapter.name}${adapter.software ? ' (software: GPU rows not measured)' : ''}` : 'none (GPU rows not measured)'}`);
  for (const b of adapter ? cols : ['wasm']) await measure(b, modelDir, rows, quick);
  console.log(torchRows(modelDir, torchScript, rows));
  const gpu = adapter && !adapter.software;
  const head = ['work', 'unit', gpu ? 'webgpu (GPU)' : 'webgpu (software)', 'wasm (CPU)', 'torch CUDA'];
  const fmt = (v: number | string | undefined) => (typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 0) : (v ?? 'not measured'));
  const lines = rows.map((r) => [r.work, r.unit, fmt(r.values.webgpu), fmt(r.values.wasm), fmt(r.values['torch-cuda'])]);
  if (!gpu) lines.push(['GPU rows', '', 'not measured (no hardware adapter)', '', '']);
  for (const l of [head, ...lines]) console.log('| ' + l.map((c, i) => c.padEnd(i === 0 ? 18 : 14)).join(' | ') + ' |');
  console.log(`tfjs ${tf.version.tfjs}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
