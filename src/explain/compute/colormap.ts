/** Colormaps as 256-entry LUTs, heat → RGBA overlay compositing, and a legend strip. Pure. */
import type { RgbaImage } from '../../core/image';

/** Colormap names offered in the UI and the CLI. */
export type ColormapName = 'jet' | 'turbo' | 'viridis' | 'inferno';

/** All colormap names, in menu order. */
export const colormapNames: ColormapName[] = ['jet', 'turbo', 'viridis', 'inferno'];

// viridis(10) and inferno(10): the palettes at positions i/9 (Smith & van der Walt, CC0).
const viridisAnchors = ['440154', '482878', '3e4989', '31688e', '26828e', '1f9e89', '35b779', '6ece58', 'b5de2b', 'fde725'];
const infernoAnchors = ['000004', '1b0c42', '4b0c6b', '781c6d', 'a52c60', 'cf4446', 'ed6925', 'fb9a06', 'f7d03c', 'fcffa4'];

function fromAnchors(hex: string[]): (t: number) => [number, number, number] {
  const rgb = hex.map((h) => [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255));
  return (t) => {
    const x = t * (rgb.length - 1);
    const i = Math.min(Math.floor(x), rgb.length - 2);
    const f = x - i;
    const a = rgb[i]!;
    const b = rgb[i + 1]!;
    return [a[0]! + (b[0]! - a[0]!) * f, a[1]! + (b[1]! - a[1]!) * f, a[2]! + (b[2]! - a[2]!) * f];
  };
}

/** Matplotlib's jet: piecewise linear blue → cyan → yellow → red. */
function jet(t: number): [number, number, number] {
  const ramp = (x: number, pts: [number, number][]) => {
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1]!;
      const [x1, y1] = pts[i]!;
      if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0 || 1);
    }
    return pts[pts.length - 1]![1];
  };
  return [
    ramp(t, [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]]),
    ramp(t, [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]]),
    ramp(t, [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]]),
  ];
}

/** Google's turbo, by its published polynomial approximation (Mikhailov 2019, Apache-2.0). */
function turbo(t: number): [number, number, number] {
  const t2 = t * t;
  const t3 = t2 * t;
  const t4 = t2 * t2;
  const t5 = t4 * t;
  const r = 0.13572138 + 4.6153926 * t - 42.66032258 * t2 + 132.13108234 * t3 - 152.94239396 * t4 + 59.28637943 * t5;
  const g = 0.09140261 + 2.19418839 * t + 4.84296658 * t2 - 14.18503333 * t3 + 4.27729857 * t4 + 2.82956604 * t5;
  const b = 0.1066733 + 12.64194608 * t - 60.58204836 * t2 + 110.36276771 * t3 - 89.90310912 * t4 + 27.34824973 * t5;
  return [r, g, b];
}

const fns: Record<ColormapName, (t: number) => [number, number, number]> = {
  jet,
  turbo,
  viridis: fromAnchors(viridisAnchors),
  inferno: fromAnchors(infernoAnchors),
};

const luts = new Map<ColormapName, Uint8ClampedArray>();

/** The 256×RGB lookup table of a colormap (index = round(heat*255)). */
export function colormapLut(name: ColormapName): Uint8ClampedArray {
  let lut = luts.get(name);
  if (!lut) {
    const fn = fns[name];
    if (!fn) throw new Error(`unknown colormap “${name}” (known: ${colormapNames.join(', ')})`);
    lut = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = fn(i / 255);
      lut[i * 3] = Math.round(Math.min(1, Math.max(0, r)) * 255);
      lut[i * 3 + 1] = Math.round(Math.min(1, Math.max(0, g)) * 255);
      lut[i * 3 + 2] = Math.round(Math.min(1, Math.max(0, b)) * 255);
    }
    luts.set(name, lut);
  }
  return lut;
}

/** A heat map (0..1 per pixel) and its geometry. */
export interface HeatMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** Colours a 0..1 heat map to opaque RGBA. */
export function colorize(heat: HeatMap, name: ColormapName): RgbaImage {
  const lut = colormapLut(name);
  const out = new Uint8ClampedArray(heat.width * heat.height * 4);
  for (let i = 0; i < heat.data.length; i++) {
    const v = heat.data[i]!;
    const k = (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0) * 3;
    out[i * 4] = lut[k]!;
    out[i * 4 + 1] = lut[k + 1]!;
    out[i * 4 + 2] = lut[k + 2]!;
    out[i * 4 + 3] = 255;
  }
  return { width: heat.width, height: heat.height, data: out };
}

/** Alpha-blends the coloured heat map over the photo: out = (1-alpha)*photo + alpha*colour. */
export function overlay(
  photo: RgbaImage,
  heat: HeatMap,
  name: ColormapName,
  alpha: number,
): RgbaImage {
  if (photo.width !== heat.width || photo.height !== heat.height) throw new Error('overlay: heat map and photo sizes differ');
  const lut = colormapLut(name);
  const a = Math.min(1, Math.max(0, alpha));
  const out = new Uint8ClampedArray(photo.data.length);
  for (let i = 0; i < heat.data.length; i++) {
    const v = heat.data[i]!;
    const k = (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0) * 3;
    const p = i * 4;
    out[p] = photo.data[p]! * (1 - a) + lut[k]! * a;
    out[p + 1] = photo.data[p + 1]! * (1 - a) + lut[k + 1]! * a;
    out[p + 2] = photo.data[p + 2]! * (1 - a) + lut[k + 2]! * a;
    out[p + 3] = photo.data[p + 3]!;
  }
  return { width: photo.width, height: photo.height, data: out };
}

/** A horizontal legend strip (low → high) of the colormap. */
export function legendStrip(name: ColormapName, width = 256, height = 12): RgbaImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = width > 1 ? x / (width - 1) : 0;
  return colorize({ width, height, data }, name);
}
