/** Bench entry for scripts/bench/dream.mjs (bundled with esbuild at bench time). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { dream } from '../../src/dream/compute/dream';
import { dreamNetFromPlain } from '../../src/dream/compute/plain-net-dream';
import type { DreamOptions } from '../../src/dream/compute/dream-options';
import { crop, type RgbaImage } from '../../src/core/image';
import { cropMargin, defaultDreamSettings, toDreamOptions } from '../../src/dream/ui/dream-settings';
import { expandRect } from '../../src/dream/ui/brush';

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
export async function timeDream(image: RgbaImage, net: ReturnType<typeof dreamNetFromPlain>, options: Partial<DreamOptions>): Promise<{ ms: number; tiles: number }> {
  const t = performance.now();
  const r = await dream(image, null, options, net);
  return { ms: performance.now() - t, tiles: r.tiles };
}

/** The zoom step of dream-zoom, for the zoom-frame row. */
export { zoomIn } from '../../src/dream/compute/zoom';

/**
 * A default panel stroke on `image`, as the panel runs it: a horizontal band a quarter of the photo
 * wide, the brush 64 screen px at fit (view 1280 px wide), cropped to it plus the margin, panel defaults.
 */
export async function timeStroke(image: RgbaImage, net: ReturnType<typeof dreamNetFromPlain>): Promise<{ ms: number; tiles: number; patternSize: number; crop: string }> {
  const { width: W, height: H } = image;
  const brush = Math.round((64 * W) / 1280);
  const bounds = { x: Math.round(W * 0.375), y: Math.round(H / 2 - brush / 2), w: Math.round(W / 4), h: brush };
  const t = performance.now();
  const rect = expandRect(bounds, cropMargin(defaultDreamSettings, image), W, H);
  const mask = new Uint8Array(rect.w * rect.h);
  for (let y = bounds.y - rect.y; y < bounds.y - rect.y + bounds.h; y++) mask.fill(255, y * rect.w + bounds.x - rect.x, y * rect.w + bounds.x - rect.x + bounds.w);
  const r = await dream(crop(image, rect), mask, toDreamOptions(defaultDreamSettings, 16, image), net);
  return { ms: performance.now() - t, tiles: r.tiles, patternSize: r.patternSize, crop: `${rect.w}x${rect.h}` };
}
