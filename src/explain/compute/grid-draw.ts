/**
 * Drawing on RGBA pixels for the method grid, with no canvas or font (the worker and Node have
 * neither): rectangles, lines, the faithfulness curves, and a tiny 3×5 pixel font for the
 * method names and scores. Pure.
 */
import type { RgbaImage } from '../../core/image';

/** An opaque RGB colour. */
export type Rgb = readonly [number, number, number];

/** Fills a rectangle (clipped to the image). */
export function fillRect(img: RgbaImage, x: number, y: number, w: number, h: number, c: Rgb): void {
  for (let yy = Math.max(0, y); yy < Math.min(img.height, y + h); yy++)
    for (let xx = Math.max(0, x); xx < Math.min(img.width, x + w); xx++) img.data.set([c[0], c[1], c[2], 255], (yy * img.width + xx) * 4);
}

/** A line `t` pixels thick from (x0,y0) to (x1,y1), by sampling along its length. */
export function drawLine(img: RgbaImage, x0: number, y0: number, x1: number, y1: number, c: Rgb, t = 2): void {
  const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
  for (let i = 0; i <= n; i++) {
    const x = Math.round(x0 + ((x1 - x0) * i) / n - t / 2);
    const y = Math.round(y0 + ((y1 - y0) * i) / n - t / 2);
    fillRect(img, x, y, t, t, c);
  }
}

/** Colours of the curves: keep (green), remove (orange), the untouched probability (gray). */
export const curveColours = { keep: [70, 200, 110] as Rgb, remove: [240, 110, 50] as Rgb, base: [120, 120, 120] as Rgb, axis: [80, 80, 80] as Rgb };

/** Plots keep and remove (probabilities over fractions) in a w×h box at (x, y): y up is 1. */
export function drawCurves(img: RgbaImage, x: number, y: number, w: number, h: number, c: { fractions: number[]; keep: number[]; remove: number[]; base: number }): void {
  const k0 = c.fractions[0]!;
  const k1 = c.fractions[c.fractions.length - 1]!;
  const px = (k: number) => x + (k1 > k0 ? ((k - k0) / (k1 - k0)) * (w - 1) : 0);
  const py = (p: number) => y + (1 - Math.min(1, Math.max(0, p))) * (h - 1);
  fillRect(img, x, y + h - 1, w, 1, curveColours.axis);
  fillRect(img, x, y, 1, h, curveColours.axis);
  for (let xx = 0; xx < w; xx += 4) fillRect(img, x + xx, Math.round(py(c.base)), 2, 1, curveColours.base);
  for (const [values, colour] of [[c.remove, curveColours.remove], [c.keep, curveColours.keep]] as const)
    for (let i = 1; i < values.length; i++) drawLine(img, px(c.fractions[i - 1]!), py(values[i - 1]!), px(c.fractions[i]!), py(values[i]!), colour);
}

// 3×5 glyphs, one row per 3-bit number (top row first, MSB = left column).
const GLYPHS: Record<string, number[]> = {
  a: [2, 5, 7, 5, 5], b: [6, 5, 6, 5, 6], c: [3, 4, 4, 4, 3], d: [6, 5, 5, 5, 6], e: [7, 4, 6, 4, 7], f: [7, 4, 6, 4, 4],
  g: [3, 4, 5, 5, 3], h: [5, 5, 7, 5, 5], i: [7, 2, 2, 2, 7], j: [1, 1, 1, 5, 2], k: [5, 5, 6, 5, 5], l: [4, 4, 4, 4, 7],
  m: [5, 7, 7, 5, 5], n: [6, 5, 5, 5, 5], o: [2, 5, 5, 5, 2], p: [6, 5, 6, 4, 4], q: [2, 5, 5, 6, 3], r: [6, 5, 6, 5, 5],
  s: [3, 4, 2, 1, 6], t: [7, 2, 2, 2, 2], u: [5, 5, 5, 5, 7], v: [5, 5, 5, 5, 2], w: [5, 5, 7, 7, 5], x: [5, 5, 2, 5, 5],
  y: [5, 5, 2, 2, 2], z: [7, 1, 2, 4, 7], '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [6, 1, 2, 4, 7], '3': [6, 1, 2, 1, 6],
  '4': [5, 5, 7, 1, 1], '5': [7, 4, 6, 1, 6], '6': [3, 4, 7, 5, 7], '7': [7, 1, 2, 2, 2], '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 6],
  '+': [0, 2, 7, 2, 0], '-': [0, 0, 7, 0, 0], '.': [0, 0, 0, 0, 2], ':': [0, 2, 0, 2, 0], '%': [5, 1, 2, 4, 5], '=': [0, 7, 0, 7, 0],
  '(': [1, 2, 2, 2, 1], ')': [4, 2, 2, 2, 4], ' ': [0, 0, 0, 0, 0],
};

/** Width in pixels of `text` at `scale` (4 columns a glyph, the last gap dropped). */
export function textWidth(text: string, scale: number): number {
  return Math.max(0, text.length * 4 - 1) * scale;
}

/** Writes `text` (lower-cased; letters, digits and + - . : % = ( ) only, others as blanks) with its top-left at (x, y). */
export function drawText(img: RgbaImage, text: string, x: number, y: number, c: Rgb, scale = 2): void {
  [...text.toLowerCase()].forEach((ch, i) => {
    const rows = GLYPHS[ch] ?? GLYPHS[' ']!;
    rows.forEach((bits, r) => {
      for (let col = 0; col < 3; col++) if (bits & (4 >> col)) fillRect(img, x + (i * 4 + col) * scale, y + r * scale, scale, scale, c);
    });
  });
}
