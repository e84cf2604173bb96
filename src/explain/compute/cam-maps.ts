/** Float-map helpers of the CAMs: mirroring (flip test-time augmentation) and min-max normalisation. */

/** Mirrors a single-channel map left↔right. */
export function flipMapX(map: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(map.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = map[y * w + (w - 1 - x)]!;
  return out;
}

/** Mirrors interleaved RGB float pixels left↔right. */
export function flipRgbX(rgb: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(rgb.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = rgb[(y * w + (w - 1 - x)) * 3 + c]!;
  return out;
}

/** A min-max normalised (0..1) copy of a map, written straight from it (all-equal maps give 0). */
export function normalized01(map: Float32Array): Float32Array {
  const out = new Float32Array(map.length);
  const [lo, hi] = minMax(map);
  const span = hi - lo;
  if (span > 0) {
    const k = 1 / span;
    for (let i = 0; i < map.length; i++) out[i] = (map[i]! - lo) * k;
  }
  return out;
}

function minMax(map: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** pytorch-grad-cam's scale_cam_image before its resize: (map − min) / (1e-7 + max − min). */
export function camScaled(map: Float32Array): Float32Array {
  const [lo, hi] = minMax(map);
  const k = 1 / (1e-7 + hi - lo);
  return Float32Array.from(map, (v) => (v - lo) * k);
}
