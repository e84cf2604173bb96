/**
 * The parameters each result image carries into an export: the operation that made it (a filter's
 * kernel and options, a burnt-in CAM's method, class and layer), keyed by the committed pixels, so
 * an undo (other pixels) drops them and a redo or later edit never exports stale ones.
 */
import type { RgbaImage } from '../../host/host-contract';

const byImage = new WeakMap<RgbaImage, Record<string, string>>();

/** Remembers the parameters of the operation whose result is `image` (call right after committing it). */
export function recordParameters(image: RgbaImage, params: Record<string, string>): void {
  if (Object.keys(params).length > 0) byImage.set(image, params);
}

/** The parameters recorded for these pixels; empty when they are not an operation's result. */
export function parametersOf(image: RgbaImage): Record<string, string> {
  return byImage.get(image) ?? {};
}
