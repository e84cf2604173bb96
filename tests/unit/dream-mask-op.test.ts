/** The camMask worker op gives the same mask, pixel for pixel, as the UI-thread camToMask it replaces. */
import { describe, expect, it } from 'vitest';
import { dreamHandlers } from '../../src/dream/compute/dream-op';
import { mulberry32 } from '../../src/core/prng';

/** The body of the old UI-thread camToMask (src/dream/ui/geometry.ts before the move), kept as the reference. */
function oldCamToMask(heat: Float32Array, cw: number, ch: number, W: number, H: number, floor = 0.1): Uint8Array {
  const out = new Uint8Array(W * H);
  const span = Math.max(1e-6, 1 - floor);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(ch - 1, Math.max(0, ((y + 0.5) * ch) / H - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(cw - 1, Math.max(0, ((x + 0.5) * cw) / W - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = fx - x0;
      const top = heat[y0 * cw + x0]! * (1 - tx) + heat[y0 * cw + x1]! * tx;
      const bottom = heat[y1 * cw + x0]! * (1 - tx) + heat[y1 * cw + x1]! * tx;
      const v = (top * (1 - ty) + bottom * ty - floor) / span;
      out[y * W + x] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  }
  return out;
}

/** The old UI's maskBounds (src/dream/ui/brush.ts), the box dream-actions.ts took from the mask. */
function oldBounds(mask: Uint8Array, W: number, H: number): { x: number; y: number; w: number; h: number } | null {
  let [x0, y0, x1, y1] = [W, H, -1, -1];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (mask[y * W + x]! > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = y;
      }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A smooth blob with noise, 0..1, like a normalised CAM: mostly faint, one bright area off-centre. */
function fakeCam(w: number, h: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const heat = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const d = ((x / w - 0.3) ** 2 + (y / h - 0.6) ** 2) * 12;
      heat[y * w + x] = Math.min(1, Math.exp(-d) * 0.9 + rnd() * 0.1);
    }
  return heat;
}

const run = (heat: Float32Array, width: number, height: number, docWidth: number, docHeight: number, floor?: number) =>
  dreamHandlers.camMask({ heat: heat.slice(), width, height, docWidth, docHeight, floor }, {});

describe('camMask worker op', () => {
  it('equals the old UI mask and its bounds at the document size, upsampled, downsampled and off-aspect', async () => {
    const cases: [number, number, number, number, number | undefined][] = [
      [61, 47, 61, 47, undefined],
      [7, 7, 320, 213, undefined],
      [200, 150, 63, 41, 0.3],
      [13, 29, 97, 18, 0],
    ];
    for (const [cw, ch, W, H, floor] of cases) {
      const heat = fakeCam(cw, ch, cw * 31 + ch);
      const want = oldCamToMask(heat, cw, ch, W, H, floor);
      const got = await run(heat, cw, ch, W, H, floor);
      expect(got.mask.length).toBe(W * H);
      expect(Buffer.from(got.mask).equals(Buffer.from(want))).toBe(true);
      expect(got.bounds).toEqual(oldBounds(want, W, H));
      // The case is not trivial: the mask ramps over many values, and with a floor some pixels stay out.
      expect(new Set(want).size).toBeGreaterThan(40);
      if (floor !== 0) expect(want.some((v) => v === 0)).toBe(true);
    }
  });

  it('an all-faint CAM gives an empty mask and no bounds; a map of the wrong length is refused', async () => {
    const faint = new Float32Array(16).fill(0.05);
    const got = await run(faint, 4, 4, 40, 30);
    expect(got.bounds).toBeNull();
    expect(got.mask.every((v) => v === 0)).toBe(true);
    await expect(run(new Float32Array(15), 4, 4, 40, 30)).rejects.toThrow(/width×height/);
  });
});
