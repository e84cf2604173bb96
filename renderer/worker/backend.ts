/** Chooses the tfjs backend from what this machine measurably has: webgl → wasm → cpu. */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fastestBackend } from './compute/filter-plan';
import { shareIdentityOnWasm } from './compute/net/wasm-identity';
import type { BackendInfo } from './protocol';

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

/** True for software rasterisers, where wasm beats webgl by ~10x (TECH-NOTES.md). */
export function isSoftwareRenderer(name: string | null): boolean {
  return name !== null && /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
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

/** Initialises tfjs on the preferred backend and reports what is live and why. */
export async function selectBackend(pref: 'auto' | BackendName, wasmPath: string): Promise<BackendInfo> {
  setWasmPaths(wasmPath);
  // XNNPACK's own default leaves one thread on small machines; every core helps here.
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 1) {
    const cores = navigator.hardwareConcurrency;
    setThreadsCount(cores);
    // tfjs-wasm 4.22 caps its pool at hardwareConcurrency / 2 (it assumes two hyper-threads per
    // core), which is one thread on a 2-core machine whatever setThreadsCount says. The wasm
    // module reads the count once, at init, from this worker's navigator: report twice the cores.
    Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => cores * 2 });
  }
  // Threads need cross-origin isolation (COOP/COEP, sent by app:// and the web server). The threaded
  // build spawns pthread workers from its factory's source text, so vite.config.ts must not minify it.
  const glRenderer = probeGl();
  const softwareGl = isSoftwareRenderer(glRenderer);
  // tfjs refuses software GL (failIfMajorPerformanceCaveat) unless told to accept it.
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  const order: BackendName[] =
    pref !== 'auto'
      ? [pref, ...(['webgl', 'wasm', 'cpu'] as const).filter((b) => b !== pref)]
      : glRenderer && !softwareGl
        ? ['webgl', 'wasm', 'cpu']
        : ['wasm', 'webgl', 'cpu'];
  const available: BackendName[] = [];
  let chosen: BackendName | null = null;
  for (const b of order) {
    if (b === 'webgl' && glRenderer === null) continue;
    if (await trySet(b)) {
      available.push(b);
      chosen ??= b;
      break;
    }
  }
  if (chosen === null) throw new Error('No tfjs backend could start (webgl, wasm and cpu all failed).');
  // With a hardware GPU, measure rather than assume: a weak integrated GPU can lose to wasm SIMD.
  // (Software GL is known to lose ~10x, TECH-NOTES.md, so it is not worth its start-up cost.)
  const probes: Partial<Record<BackendName, number>> = {};
  if (pref === 'auto' && chosen === 'webgl') {
    probes.webgl = await probe();
    if (await trySet('wasm')) {
      available.push('wasm');
      probes.wasm = await probe();
    }
    chosen = (fastestBackend(probes) as BackendName | null) ?? 'webgl';
  }
  if (tf.getBackend() !== chosen) await trySet(chosen);
  shareIdentityOnWasm();
  const wasmThreads = chosen === 'wasm' && getThreadsCount() > 1;
  const measured = Object.entries(probes).map(([b, ms]) => `${b} ${ms.toFixed(1)} ms`).join(', ');
  const reason =
    pref !== 'auto'
      ? `${chosen} chosen in settings`
      : measured
        ? `fastest in a start-up probe (${measured})`
        : chosen === 'wasm'
          ? softwareGl
            ? 'WebGL is software-rendered here; wasm is about 10x faster'
            : 'no usable WebGL; wasm is next fastest'
          : 'webgl and wasm unavailable';
  return { backend: chosen, available, glRenderer, softwareGl, wasmThreads, reason };
}
