/**
 * The image core: the one RGBA image type and rectangle every layer shares (worker, UI, host, CLI),
 * and the pure pixel plumbing on them (crop, paste, pad, downscale, luma). No tfjs, no DOM.
 */

/** 8-bit RGBA pixels, row-major; across the worker boundary the buffer is transferred, not copied. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A rectangle in image pixels (integer for pixel copies; fractional where resampling allows it). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Grey level from RGB exactly as PIL's `convert('L')` computes it: ITU-R 601-2 (299R+587G+114B)/1000, in 16-bit fixed point. */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/** A copy of rectangle `r` (inside the image). */
export function crop(img: RgbaImage, r: Rect): RgbaImage {
  const out = new Uint8ClampedArray(r.w * r.h * 4);
  for (let y = 0; y < r.h; y++) {
    const s = ((r.y + y) * img.width + r.x) * 4;
    out.set(img.data.subarray(s, s + r.w * 4), y * r.w * 4);
  }
  return { width: r.w, height: r.h, data: out };
}

/** Writes `src` into `dst` at (x, y), in place (`src` must fit inside `dst`). */
export function pasteInto(dst: RgbaImage, src: RgbaImage, x: number, y: number): void {
  const row = src.width * 4;
  for (let r = 0; r < src.height; r++) dst.data.set(src.data.subarray(r * row, (r + 1) * row), ((y + r) * dst.width + x) * 4);
}

/** A copy of `dst` with `src` pasted at (x, y); `dst` itself is left alone. */
export function paste(dst: RgbaImage, src: RgbaImage, x: number, y: number): RgbaImage {
  const out = { width: dst.width, height: dst.height, data: dst.data.slice() };
  pasteInto(out, src, x, y);
  return out;
}

/** Maps a coordinate i on an axis of length n to the source index it reads, or -1 for transparent black. */
export type BorderLookup = (i: number, n: number) => number;

/**
 * The r.w x r.h picture whose (0, 0) is image pixel (r.x, r.y); pixels outside the image are
 * read where `border` says (-1: transparent black, as a zero border pads every channel).
 */
export function padCrop(image: RgbaImage, r: Rect, border: BorderLookup): RgbaImage {
  const { x, y, w, h } = r;
  const data = new Uint8ClampedArray(w * h * 4);
  const W = image.width;
  const src = image.data;
  const cols = new Int32Array(w);
  for (let c = 0; c < w; c++) cols[c] = border(x + c, W);
  for (let row = 0; row < h; row++) {
    const sy = border(y + row, image.height);
    const rowOut = row * w * 4;
    // A zero-border row stays transparent black, as the buffer starts.
    if (sy < 0) continue;
    const rowIn = sy * W * 4;
    // The inside span is one contiguous copy; only the few columns beyond the edge are looked up.
    const c0 = Math.min(w, Math.max(0, -x));
    const c1 = Math.max(c0, Math.min(w, W - x));
    if (c1 > c0) data.set(src.subarray(rowIn + 4 * (x + c0), rowIn + 4 * (x + c1)), rowOut + 4 * c0);
    const edge = (c: number) => {
      const sx = cols[c]!;
      if (sx >= 0) data.set(src.subarray(rowIn + 4 * sx, rowIn + 4 * sx + 4), rowOut + 4 * c);
    };
    for (let c = 0; c < c0; c++) edge(c);
    for (let c = c1; c < w; c++) edge(c);
  }
  return { width: w, height: h, data };
}

/** Area-average downscale so the longer side is at most `maxSide` (a copy at the same size when it already fits). */
export function downscaleToFit(img: RgbaImage, maxSide: number): RgbaImage {
  const f = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (f === 1) return { ...img, data: img.data.slice() };
  const w = Math.max(1, Math.round(img.width * f));
  const h = Math.max(1, Math.round(img.height * f));
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y * img.height) / h);
    const sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * img.height) / h));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x * img.width) / w);
      const sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * img.width) / w));
      const acc = [0, 0, 0, 0];
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const s = (sy * img.width + sx) * 4;
          for (let c = 0; c < 4; c++) acc[c]! += img.data[s + c]!;
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      // The clamped array rounds (half to even) on store.
      for (let c = 0; c < 4; c++) out[(y * w + x) * 4 + c] = acc[c]! / n;
    }
  }
  return { width: w, height: h, data: out };
}

/** Box-averages by an integer factor f (size rounded up; partial blocks at the edges average what they hold). */
export function downscaleBy(image: RgbaImage, f: number): RgbaImage {
  if (f <= 1) return image;
  const w = Math.ceil(image.width / f);
  const h = Math.ceil(image.height / f);
  const out = new Uint8ClampedArray(w * h * 4);
  const sum = new Float64Array(4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      sum.fill(0);
      let n = 0;
      for (let yy = y * f; yy < Math.min(image.height, (y + 1) * f); yy++) {
        for (let xx = x * f; xx < Math.min(image.width, (x + 1) * f); xx++) {
          const i = 4 * (yy * image.width + xx);
          for (let c = 0; c < 4; c++) sum[c]! += image.data[i + c]!;
          n++;
        }
      }
      for (let c = 0; c < 4; c++) out[4 * (y * w + x) + c] = Math.round(sum[c]! / n);
    }
  }
  return { width: w, height: h, data: out };
}

/** Scaled to w x h by the nearest source pixel (cheap canvas views only; the same image when the size matches). */
export function downscaleNearest(img: RgbaImage, w: number, h: number): RgbaImage {
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
