/** Bench entry for scripts/bench/dream.mjs (bundled with esbuild at bench time). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadPlainNetFromDir } from '../../electron/cli/model-files';
import { dream } from '../../renderer/worker/compute/dream/dream';
import { dreamNetFromPlain } from '../../renderer/worker/compute/dream/plain-net-dream';
import type { DreamOptions } from '../../renderer/worker/compute/dream/dream-options';
import type { Rgba } from '../../renderer/worker/protocol';

/** The bundled tfjs, so the bench reads the wasm heap of the same instance. */
export { tf };

/** Switches tfjs to a backend; throws when it does not start. */
export async function useBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`${name} backend did not start`);
  await tf.ready();
}

/** Loads the model folder as a dream network on the live backend. */
export async function loadDreamNet(dir: string) {
  const { net, files } = await loadPlainNetFromDir(dir);
  return { net: dreamNetFromPlain(net), dispose: () => net.dispose(), sha256: files.sha256 };
}

/** Runs one dream and returns its wall time in ms. */
export async function timeDream(image: Rgba, net: ReturnType<typeof dreamNetFromPlain>, options: Partial<DreamOptions>): Promise<{ ms: number; tiles: number }> {
  const t = performance.now();
  const r = await dream(image, null, options, net);
  return { ms: performance.now() - t, tiles: r.tiles };
}
