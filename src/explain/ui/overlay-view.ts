/** Pictures of a CAM for the canvas (burning in is compute/cam-composite.ts, in the worker); which layers a CAM can target. Pure. */
import { colorize, type ColormapName } from '../compute/colormap';
import type { RgbaImage } from '../../core/image';
import type { LayerInfo } from '../../core/net/layer-info';
import { resampleMapCv2 } from '../../core/resample';

/** Largest side of the overlay picture drawn on the canvas (the CAM is smooth, exports stay full size). */
export const DISPLAY_MAX_SIDE = 2048;

/** Size a width×height map is shown at: unchanged up to `maxSide`, else scaled down keeping the aspect. */
export function displaySize(width: number, height: number, maxSide = DISPLAY_MAX_SIDE): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/**
 * The coloured heat map (opaque) at display size, area-averaged down so a 16 MP CAM stays a light
 * canvas layer; the canvas blends it with the layer's opacity, the same blend as the exported overlay.
 */
export function heatLayerImage(heat: Float32Array, width: number, height: number, colormap: ColormapName): RgbaImage {
  const d = displaySize(width, height);
  const map = d.width === width && d.height === height ? heat : resampleMapCv2(heat, width, height, d.width, d.height);
  return colorize({ width: d.width, height: d.height, data: map }, colormap);
}

/** Layers a CAM or the feature-map viewer can use: those with a spatial output (height×width×channels). */
export function spatialLayers(layers: readonly LayerInfo[]): LayerInfo[] {
  return layers.filter((l) => l.shape.length === 3);
}

/** "conv_pw_13_relu · 7×7×768". */
export function layerTitle(l: LayerInfo): string {
  return l.shape.length === 3 ? `${l.name} · ${l.shape[0]}×${l.shape[1]}×${l.shape[2]}` : l.name;
}

/** True when two images hold the same pixels (an undo restores equal pixels in a new image object). */
export function samePixels(a: RgbaImage, b: RgbaImage): boolean {
  if (a === b) return true;
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) return false;
  const aligned = a.data.byteOffset % 4 === 0 && b.data.byteOffset % 4 === 0 && a.data.length % 4 === 0;
  // Word-wise when possible: a 16 MP photo compares in a few tens of milliseconds.
  const x = aligned ? new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length / 4) : a.data;
  const y = aligned ? new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length / 4) : b.data;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Minimum and maximum of the raw CAM, for the legend's end labels. */
export function mapRange(map: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of map) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return map.length ? { min, max } : { min: 0, max: 0 };
}

/** The feature-map tile under a point of the grid picture, or null in a gap or past the last tile. */
export function tileAt(
  grid: { columns: number; tile: [number, number]; channels: number[] },
  gap: number,
  x: number,
  y: number,
): { slot: number; channel: number } | null {
  const [tw, th] = grid.tile;
  const col = Math.floor(x / (tw + gap));
  const row = Math.floor(y / (th + gap));
  if (x < 0 || y < 0 || col >= grid.columns || x - col * (tw + gap) >= tw || y - row * (th + gap) >= th) return null;
  const slot = row * grid.columns + col;
  const channel = grid.channels[slot];
  return channel === undefined ? null : { slot, channel };
}
