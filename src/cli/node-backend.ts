/** tfjs backend for the CLI: webgpu on a hardware adapter, tfjs-node when the user installed it, else wasm, else cpu. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { shareIdentityOnWasm } from '../core/net/wasm-identity';
import { hardwareIcdManifests, nodeGpuAdapter, registerWebgpuBackend } from './node-webgpu';

async function trySet(name: string): Promise<boolean> {
  try {
    // setBackend resolves false (it does not throw) when initialisation fails: check it.
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Starts webgpu through Dawn. `auto` takes it only on a hardware adapter: on a software one
 * (SwiftShader) wasm is faster; asked for by name, any adapter will do (tests, the kit's check here).
 */
async function tryWebgpu(requireHardware: boolean): Promise<string | null> {
  if (requireHardware && hardwareIcdManifests().length === 0) return 'no hardware Vulkan driver';
  const adapter = await nodeGpuAdapter();
  if (!adapter) return 'no WebGPU adapter (the optional "webgpu" package is missing, or Vulkan found no GPU)';
  if (requireHardware && adapter.software) return `software adapter ${adapter.name}`;
  await registerWebgpuBackend();
  return (await trySet('webgpu')) ? null : `the webgpu backend did not start on ${adapter.name}`;
}

async function tryTensorflow(): Promise<boolean> {
  try {
    // Optional: not a dependency; used only when the user installed it beside Onirique.
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false; // Not installed: fall through to wasm.
  }
}

/**
 * Picks and initialises a backend; returns its name. `pref`: auto (the default), webgpu, wasm, cpu
 * or tensorflow. webgpu asked for by name fails loudly when it cannot start; wasm or cpu asked for
 * by name fall back to the other (as before).
 */
export async function initNodeBackend(pref: string | undefined = process.env.ONIRIQUE_BACKEND): Promise<string> {
  // Production mode: no tfjs debug checks, and no "install tfjs-node" banner in a CLI's output.
  tf.env().set('PROD', true);
  shareIdentityOnWasm();
  const auto = !pref || pref === 'auto';
  if (pref === 'webgpu') {
    const why = await tryWebgpu(false);
    if (why) throw new Error(`--backend webgpu: ${why}.`);
    return 'webgpu';
  }
  if (auto && (await tryWebgpu(true)) === null) return 'webgpu';
  if ((auto || pref === 'tensorflow') && (await tryTensorflow())) return 'tensorflow';
  for (const b of !auto && pref !== 'tensorflow' ? [pref, 'wasm', 'cpu'] : ['wasm', 'cpu']) {
    if (await trySet(b)) return b;
  }
  throw new Error('No tfjs backend could start.');
}
