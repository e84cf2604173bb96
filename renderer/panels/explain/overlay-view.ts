/** Pictures of a CAM for the canvas and for burning into the photo; which layers a CAM can target. Pure. */
import { colorize, overlay, type ColormapName } from '../../worker/compute/explain/colormap';
import { resampleMap } from '../../worker/compute/explain/resample';
import type { LayerInfo } from '../../worker/compute/net/plain-net';

/** 8-bit RGBA pixels. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Largest side of the overlay picture drawn on the canvas (the CAM is smooth, exports stay full size). */
export const DISPLAY_MAX_SIDE = 2048;

/** Size a width×height map is shown at: unchanged up to `maxSide`, else scaled down keeping the aspect. */
export function displaySize(width: number, height: number, maxSide = DISPLAY_MAX_SIDE): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** RGBA pixels scaled down to w×h by the nearest source pixel (the guided picture's canvas view only). */
export function shrinkRgba(img: RgbaPixels, w: number, h: number): RgbaPixels {
  if (w === img.width && h === img.height) return img;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / h));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / w));
      data.set(img.data.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

/**
 * The coloured heat map (opaque) at display size, area-averaged down so a 16 MP CAM stays a light
 * canvas layer; the canvas blends it with the layer's opacity, the same blend as the exported overlay.
 */
export function heatLayerImage(heat: Float32Array, width: number, height: number, colormap: ColormapName): RgbaPixels {
  const d = displaySize(width, height);
  const map = d.width === width && d.height === height ? heat : resampleMap(heat, width, height, d.width, d.height);
  return colorize({ width: d.width, height: d.height, data: map }, colormap);
}

/** out = (1 - alpha)·photo + alpha·picture, alpha of the photo kept: the guided picture burnt in. */
export function blendRgba(photo: RgbaPixels, picture: RgbaPixels, alpha: number): RgbaPixels {
  if (photo.width !== picture.width || photo.height !== picture.height) throw new Error('blend: the picture and the photo sizes differ');
  const a = Math.min(1, Math.max(0, alpha));
  const out = new Uint8ClampedArray(photo.data.length);
  for (let p = 0; p < out.length; p += 4) {
    out[p] = photo.data[p]! * (1 - a) + picture.data[p]! * a;
    out[p + 1] = photo.data[p + 1]! * (1 - a) + picture.data[p + 1]! * a;
    out[p + 2] = photo.data[p + 2]! * (1 - a) + picture.data[p + 2]! * a;
    out[p + 3] = photo.data[p + 3]!;
  }
  return { width: photo.width, height: photo.height, data: out };
}

/** The photo with the CAM drawn in: the heat colours (same blend as the CLI) or the guided picture. */
export function burnIn(photo: RgbaPixels, heat: Float32Array, colormap: ColormapName, alpha: number, guided: RgbaPixels | null): RgbaPixels {
  if (guided) return blendRgba(photo, guided, alpha);
  return overlay(photo, { width: photo.width, height: photo.height, data: heat }, colormap, alpha);
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
export function samePixels(a: RgbaPixels, b: RgbaPixels): boolean {
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
