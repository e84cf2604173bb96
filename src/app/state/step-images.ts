/**
 * The document's pixels at the few history steps around the current one, so before/after can
 * compare with the previous step without replaying history (entries hold only changed tiles).
 * Document images are never changed in place, so keeping references costs no copies.
 */
import type { RgbaImage } from '../../core/image';

/** How many steps on each side of the current one keep their pixels (each can be a full image). */
const KEEP = 1;

/** Pixels by step index (0: as opened; n: after n steps). */
export class StepImages {
  private images = new Map<number, RgbaImage>();

  /** Forgets every step (a new document). */
  clear(): void {
    this.images.clear();
  }

  /** Notes the pixels at step `index`; `pushed`: a new step was recorded, so later steps are gone. */
  note(index: number, image: RgbaImage, pushed: boolean): void {
    for (const k of [...this.images.keys()]) {
      if ((pushed && k >= index) || Math.abs(k - index) > KEEP) this.images.delete(k);
    }
    this.images.set(index, image);
  }

  /** The pixels at step `index`, when still known. */
  at(index: number): RgbaImage | null {
    return this.images.get(index) ?? null;
  }
}
