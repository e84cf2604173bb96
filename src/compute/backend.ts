/** Chooses the tfjs backend from what this machine measurably has: webgpu → webgl → wasm → cpu. */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Registers 'webgpu' only where this worker's navigator has a gpu (checked at import time).
import '@tensorflow/tfjs-backend-webgpu';
import { fastestBackend } from '../filter/compute/filter-plan';
import { shareIdentityOnWasm } from '../core/net/wasm-identity';
import type { BackendInfo } from './contract';

type BackendName = BackendInfo['backend'];

/** Reads the GL renderer string from a throwaway OffscreenCanvas context. */
function probeGl(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return null;
  }
}

interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(o?: { powerPreference?: string }): Promise<{ info?: GpuAdapterInfoLike; isFallbackAdapter?: boolean } | null>;
}

/** Asks navigator.gpu for an adapter: its name and whether it is a CPU rasteriser, or null without WebGPU. */
async function probeGpu(): Promise<{ name: string; software: boolean } | null> {
  const gpu: unknown = typeof navigator === 'undefined' ? undefined : Reflect.get(navigator, 'gpu');
  if (typeof gpu !== 'object' || gpu === null || typeof (gpu as { requestAdapter?: unknown }).requestAdapter !== 'function') return null;
  try {
    const adapter = await (gpu as GpuLike).requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
    return { name, software: adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || isSoftwareRenderer(name) };
  } catch {
    return null;
  }
}

/** True for software rasterisers, where wasm beats webgl by ~10x (TECH-NOTES.md). */
export function isSoftwareRenderer(name: string | null): boolean {
  return name !== null && /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i.test(name);
}

async function trySet(name: BackendName): Promise<boolean> {
  try {
    // setBackend resolves false (it does not throw) when initialisation fails: check it.
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Median time of a 3x3 depthwise convolution plus a 3x3x16 convolution on 512x512 (after one warm-up). */
async function probe(): Promise<number> {
  const run = async () => {
    const t0 = performance.now();
    const y = tf.tidy(() => {
      const x = tf.randomUniform([1, 512, 512, 3]) as tf.Tensor4D;
      const d = tf.depthwiseConv2d(x, tf.ones([3, 3, 3, 1]) as tf.Tensor4D, 1, 'same');
      return tf.conv2d(d, tf.ones([3, 3, 3, 16]) as tf.Tensor4D, 1, 'same').sum();
    });
    await y.data();
    y.dispose();
    return performance.now() - t0;
  };
  await run();
  const times = [await run(), await run(), await run()].sort((a, b) => a - b);
  return times[1]!;
}

/** Gives the wasm backend a thread per core (before it initialises). */
function useAllCores(): void {
  // XNNPACK's own default leaves one thread on small machines; every core helps here.
  if (typeof navigator === 'undefined' || navigator.hardwareConcurrency <= 1) return;
  const cores = navigator.hardwareConcurrency;
  setThreadsCount(cores);
  // tfjs-wasm 4.22 caps its pool at hardwareConcurrency / 2 (it assumes two hyper-threads per
  // core), which is one thread on a 2-core machine whatever setThreadsCount says. The wasm
  // module reads the count once, at init, from this worker's navigator: report twice the cores.
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => cores * 2 });
}

/** The status bar's one-line reason for the backend chosen. */
function choiceReason(pref: 'auto' | BackendName, chosen: BackendName, probes: Partial<Record<BackendName, number>>, softwareGl: boolean): string {
  const measured = Object.entries(probes).map(([b, ms]) => `${b} ${ms.toFixed(1)} ms`).join(', ');
  if (pref !== 'auto') return `${chosen} chosen in settings`;
  if (measured) return `fastest in a start-up probe (${measured})`;
  if (chosen !== 'wasm') return 'webgpu, webgl and wasm unavailable';
  return softwareGl ? 'WebGL is software-rendered here; wasm is about 10x faster' : 'no usable WebGL; wasm is next fastest';
}

/**
 * Backends to try, best first: a hardware WebGPU adapter, then hardware WebGL, then wasm; software
 * adapters and software GL come after wasm (they lose to it ~10x, TECH-NOTES.md).
 */
export function backendOrder(pref: 'auto' | BackendName, gpu: { software: boolean } | null, glRenderer: string | null, softwareGl: boolean): BackendName[] {
  const all: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
  if (pref !== 'auto') return [pref, ...all.filter((b) => b !== pref)];
  const hardwareGpu = gpu !== null && !gpu.software;
  const hardwareGl = glRenderer !== null && !softwareGl;
  const order: BackendName[] = [];
  if (hardwareGpu) order.push('webgpu');
  if (hardwareGl) order.push('webgl');
  order.push('wasm');
  if (!hardwareGl) order.push('webgl');
  if (!hardwareGpu) order.push('webgpu');
  order.push('cpu');
  return order;
}

/** Initialises tfjs on the preferred backend and reports what is live and why. */
export async function selectBackend(pref: 'auto' | BackendName, wasmPath: string): Promise<BackendInfo> {
  setWasmPaths(wasmPath);
  useAllCores();
  // Threads need cross-origin isolation (COOP/COEP, sent by app:// and the web server). The threaded
  // build spawns pthread workers from its factory's source text, so vite.config.ts must not minify it.
  const glRenderer = probeGl();
  const softwareGl = isSoftwareRenderer(glRenderer);
  // tfjs refuses software GL (failIfMajorPerformanceCaveat) unless told to accept it.
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  const gpu = await probeGpu();
  const order = backendOrder(pref, gpu, glRenderer, softwareGl);
  const available: BackendName[] = [];
  let chosen: BackendName | null = null;
  for (const b of order) {
    if (b === 'webgl' && glRenderer === null) continue;
    if (b === 'webgpu' && gpu === null) continue;
    if (await trySet(b)) {
      available.push(b);
      chosen ??= b;
      break;
    }
  }
  if (chosen === null) throw new Error('No tfjs backend could start (webgpu, webgl, wasm and cpu all failed).');
  // With a hardware GPU, measure rather than assume: a weak integrated GPU can lose to wasm SIMD.
  // (Software GL is known to lose ~10x, TECH-NOTES.md, so it is not worth its start-up cost.)
  const probes: Partial<Record<BackendName, number>> = {};
  if (pref === 'auto' && (chosen === 'webgl' || chosen === 'webgpu')) {
    const first = chosen;
    probes[first] = await probe();
    // Against wasm always, and webgpu against a hardware webgl too: drivers differ in which is faster.
    const rivals: BackendName[] = first === 'webgpu' && glRenderer && !softwareGl ? ['webgl', 'wasm'] : ['wasm'];
    for (const b of rivals) {
      if (!(await trySet(b))) continue;
      available.push(b);
      probes[b] = await probe();
    }
    chosen = (fastestBackend(probes) as BackendName | null) ?? first;
  }
  if (tf.getBackend() !== chosen) await trySet(chosen);
  shareIdentityOnWasm();
  const wasmThreads = chosen === 'wasm' && getThreadsCount() > 1;
  return { backend: chosen, available, glRenderer, softwareGl, gpuAdapter: gpu?.name ?? null, softwareGpu: gpu?.software ?? false, wasmThreads, reason: choiceReason(pref, chosen, probes, softwareGl) };
}
