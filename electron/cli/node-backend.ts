/** tfjs backend for the CLI: tfjs-node when the user installed it, else wasm, else cpu. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { shareIdentityOnWasm } from '../../renderer/worker/compute/net/wasm-identity';

/** Picks and initialises the fastest backend present; returns its name. */
export async function initNodeBackend(pref: string | undefined = process.env.ONIRIQUE_BACKEND): Promise<string> {
  // Production mode: no tfjs debug checks, and no "install tfjs-node" banner in a CLI's output.
  tf.env().set('PROD', true);
  shareIdentityOnWasm();
  if (!pref || pref === 'tensorflow') {
    try {
      // Optional: not a dependency; used only when the user installed it beside Onirique.
      const name = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ name);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch {
      // Not installed: fall through to wasm.
    }
  }
  for (const b of pref && pref !== 'tensorflow' ? [pref, 'wasm', 'cpu'] : ['wasm', 'cpu']) {
    try {
      if (await tf.setBackend(b)) {
        await tf.ready();
        return b;
      }
    } catch {
      // Try the next one.
    }
  }
  throw new Error('No tfjs backend could start.');
}
