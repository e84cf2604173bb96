/**
 * Dream zoom, the classic infinite zoom: each frame is the previous one zoomed in by a factor
 * about its centre and dreamt again. Frames go to `onFrame` as they are made (none are kept
 * here), progress carries an ETA, and Cancel stops between steps like a single dream.
 */
import type { RgbaImage } from '../../core/image';
import { type JobContext, throwIfAborted } from '../../core/job';
import { dream, type DreamResult } from './dream';
import type { DreamOptions } from './dream-options';
import type { DreamNet } from './objective';

/** How many frames, and the zoom factor between consecutive frames (> 1 zooms in). */
export interface ZoomOptions {
  frames: number;
  zoom: number;
}

/** Defaults of the CLI's dream-zoom. */
export const defaultZoomOptions: ZoomOptions = { frames: 30, zoom: 1.05 };

/** Checks zoom options; returns a message for the user, or null when they can be used. */
export function validateZoomOptions(z: ZoomOptions): string | null {
  if (!(Number.isInteger(z.frames) && z.frames >= 1 && z.frames <= 10_000)) return 'Frames must be an integer from 1 to 10000.';
  if (!(z.zoom >= 1 && z.zoom <= 4)) return 'The zoom must be a number from 1 to 4.';
  return null;
}

/** The image zoomed in by `factor` about its centre, same size (bilinear, edges clamped; alpha too). */
export function zoomIn(image: RgbaImage, factor: number): RgbaImage {
  const { width: W, height: H, data: src } = image;
  const out = new Uint8ClampedArray(src.length);
  const xs = new Float32Array(W);
  for (let x = 0; x < W; x++) xs[x] = Math.min(W - 1, Math.max(0, (x + 0.5 - W / 2) / factor + W / 2 - 0.5));
  for (let y = 0; y < H; y++) {
    const fy = Math.min(H - 1, Math.max(0, (y + 0.5 - H / 2) / factor + H / 2 - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(H - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = xs[x]!;
      const x0 = Math.floor(fx);
      const x1 = Math.min(W - 1, x0 + 1);
      const tx = fx - x0;
      const a = (y0 * W + x0) * 4;
      const b = (y0 * W + x1) * 4;
      const c = (y1 * W + x0) * 4;
      const d = (y1 * W + x1) * 4;
      const o = (y * W + x) * 4;
      for (let k = 0; k < 4; k++) {
        const top = src[a + k]! + (src[b + k]! - src[a + k]!) * tx;
        const bottom = src[c + k]! + (src[d + k]! - src[c + k]!) * tx;
        out[o + k] = Math.round(top + (bottom - top) * ty);
      }
    }
  }
  return { width: W, height: H, data: out };
}

/** "12 s", "3 min 05 s": a remaining time for progress labels. */
export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * Dreams `frames` frames: frame 0 is `image` dreamt, frame i is frame i-1 zoomed in by `zoom` and
 * dreamt with seed + i (so the zoom keeps finding new patterns yet stays reproducible). Each
 * frame goes to `onFrame` before the next starts; the input image is never modified.
 */
export async function dreamZoom(
  image: RgbaImage,
  options: Partial<DreamOptions>,
  zoom: ZoomOptions,
  net: DreamNet,
  onFrame: (frame: RgbaImage, index: number, result: DreamResult) => void | Promise<void>,
  ctx: JobContext = {},
): Promise<void> {
  const err = validateZoomOptions(zoom);
  if (err) throw new Error(err);
  const seed = options.seed ?? 1;
  const started = Date.now();
  let current = image;
  for (let i = 0; i < zoom.frames; i++) {
    throwIfAborted(ctx.signal);
    const input = i === 0 ? current : zoomIn(current, zoom.zoom);
    const result = await dream(input, null, { ...options, seed: seed + i }, net, {
      signal: ctx.signal,
      onProgress: (p) => {
        const done = (i + p.fraction) / zoom.frames;
        const eta = done > 0 ? formatEta(((Date.now() - started) * (1 - done)) / done) : '…';
        ctx.onProgress?.({ ...p, fraction: done, label: `Frame ${i + 1}/${zoom.frames}, ${p.label}, ETA ${eta}` });
      },
    });
    current = result.image;
    await onFrame(current, i, result);
  }
}
