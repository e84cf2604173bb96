/** Deep Dream's octave ladder: the image sizes it dreams at, smallest first. */

/** Size of octave `i` of `count` (0 = smallest) for a full size and a scale between octaves. */
export function octaveSizes(width: number, height: number, count: number, scale: number, minSize: number): { width: number; height: number }[] {
  const sizes: { width: number; height: number }[] = [];
  for (let i = 0; i < count; i++) {
    const f = Math.pow(scale, count - 1 - i);
    const w = Math.max(1, Math.round(width / f));
    const h = Math.max(1, Math.round(height / f));
    // Too small for the network to see anything: skip, unless it is the full size itself.
    if (Math.min(w, h) < minSize && i < count - 1) continue;
    sizes.push({ width: w, height: h });
  }
  return sizes;
}

/**
 * The size the network dreams at for a pattern size (photo pixels per network pixel): the photo
 * divided by it, but never with a shorter side under `minSize` (unless the photo itself is smaller).
 */
export function workingSize(width: number, height: number, patternSize: number, minSize: number): { width: number; height: number } {
  const limit = Math.max(1, Math.min(width, height) / minSize);
  const f = Math.max(1, Math.min(patternSize, limit));
  return { width: Math.max(1, Math.round(width / f)), height: Math.max(1, Math.round(height / f)) };
}
