/** "Dream where the model sees X": a normalised CAM map made into the dream mask at the document's size, in the worker. */
import type { Rect } from '../../core/image';

/** The mask and the bounding box of its non-zero pixels (null when it is empty). */
export interface CamMask {
  mask: Uint8Array;
  bounds: Rect | null;
}

/**
 * A normalised CAM map (0..1, `cw`×`ch`) as an 8-bit mask of the document's size W×H (bilinear when
 * the sizes differ). Values under `floor` become 0 so faint attention does not dream (and costs no
 * tiles). The bounding box is gathered in the same pass, so the full-size mask is read once.
 */
export function camToMask(heat: Float32Array, cw: number, ch: number, W: number, H: number, floor = 0.1): CamMask {
  const mask = new Uint8Array(W * H);
  const span = Math.max(1e-6, 1 - floor);
  let [bx0, by0, bx1, by1] = [W, H, -1, -1];
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
      const v = Math.round(Math.min(1, Math.max(0, (top * (1 - ty) + bottom * ty - floor) / span)) * 255);
      mask[y * W + x] = v;
      if (v > 0) {
        if (x < bx0) bx0 = x;
        if (x > bx1) bx1 = x;
        if (y < by0) by0 = y;
        by1 = y;
      }
    }
  }
  return { mask, bounds: bx1 < 0 ? null : { x: bx0, y: by0, w: bx1 - bx0 + 1, h: by1 - by0 + 1 } };
}
