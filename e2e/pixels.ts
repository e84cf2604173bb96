/** Independent references and canvas read-back for the e2e tests. */
import type { Page } from '@playwright/test';
import sharp from 'sharp';

/** Decodes a file to RGBA with sharp (EXIF orientation applied). */
export async function decodeRgba(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(path).autoOrient().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/**
 * The article's pipeline written out by its definition, independent of the app's code:
 * L = PIL convert('L'), scipy convolve2d(L, k, mode='same') (zero fill), abs, scaled to 0..255 by the max.
 */
export function articleReference(img: { width: number; height: number; data: Uint8Array }): Uint8Array {
  const { width: w, height: h, data } = img;
  const L = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) L[i] = (data[4 * i]! * 19595 + data[4 * i + 1]! * 38470 + data[4 * i + 2]! * 7471 + 0x8000) >> 16;
  const k = [
    [-1, -1, -1],
    [0, 0, 0],
    [1, 1, 1],
  ];
  const out = new Float64Array(w * h);
  let max = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      // True convolution: out[y][x] = Σ L[y - m + 1][x - n + 1] · k[m][n].
      for (let m = 0; m < 3; m++) {
        for (let n = 0; n < 3; n++) {
          const yy = y - m + 1;
          const xx = x - n + 1;
          if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += L[yy * w + xx]! * k[m]![n]!;
        }
      }
      out[y * w + x] = Math.abs(s);
      max = Math.max(max, Math.abs(s));
    }
  }
  const grey = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = Math.round((out[i]! * 255) / max);
  return grey;
}

/** Reads the document's pixels as drawn on the view canvas (call at 100% zoom). */
export async function readCanvas(page: Page, w: number, h: number): Promise<Uint8Array> {
  const arr = await page.evaluate(
    ([w, h]) => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="view-canvas"]')!;
      const ox = Number(c.dataset.ox);
      const oy = Number(c.dataset.oy);
      return Array.from(c.getContext('2d')!.getImageData(ox, oy, w!, h!).data);
    },
    [w, h],
  );
  return Uint8Array.from(arr);
}

/** Largest absolute difference between a grey reference and the R, G, B of RGBA pixels. */
export function maxGreyDiff(grey: Uint8Array, rgba: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < grey.length; i++) for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(grey[i]! - rgba[4 * i + c]!));
  return d;
}
