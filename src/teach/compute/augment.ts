/** Training views of a photo: the whole photo, plus flipped, cropped and colour-jittered copies. */
import type { Rect, RgbaImage } from '../../core/image';
import { viewPixels } from '../../explain/compute/views';
import { mulberry32 } from '../../core/prng';

/** Which augmentations the extra views use; `views` is how many views per training photo in all. */
export interface AugmentOptions {
  flip: boolean;
  crop: boolean;
  jitter: boolean;
  /** Views per training photo, the plain one included (1 = no augmentation). */
  views: number;
}

/** No augmentation: one plain view per photo. */
export const noAugment: AugmentOptions = { flip: false, crop: false, jitter: false, views: 1 };

/** The names `--augment` takes. */
export const augmentNames = ['flip', 'crop', 'jitter'] as const;

/** One view: a rectangle of the photo, mirrored or not, with colour factors (1 = unchanged). */
export interface ViewPlan {
  rect: Rect;
  flip: boolean;
  brightness: number;
  contrast: number;
  saturation: number;
}

/**
 * The views of one photo: view 0 is always the whole photo unchanged (what classify sees with
 * --fit resize, and the only view of a validation photo); the others draw the enabled augmentations.
 */
export function planViews(width: number, height: number, o: AugmentOptions, seed: number): ViewPlan[] {
  const rand = mulberry32(seed);
  const whole: Rect = { x: 0, y: 0, w: width, h: height };
  const out: ViewPlan[] = [{ rect: whole, flip: false, brightness: 1, contrast: 1, saturation: 1 }];
  const any = o.flip || o.crop || o.jitter;
  for (let v = 1; v < o.views && any; v++) {
    let rect = whole;
    if (o.crop) {
      // 60–100 % of the area, aspect kept within 3:4..4:3 of the photo's.
      const scale = Math.sqrt(0.6 + 0.4 * rand());
      const aspect = Math.exp((rand() - 0.5) * Math.log(4 / 3));
      const w = Math.max(1, Math.min(width, Math.round(width * scale * Math.sqrt(aspect))));
      const h = Math.max(1, Math.min(height, Math.round(height * scale / Math.sqrt(aspect))));
      rect = { x: Math.floor(rand() * (width - w + 1)), y: Math.floor(rand() * (height - h + 1)), w, h };
    }
    const j = (amp: number) => (o.jitter ? 1 + (rand() * 2 - 1) * amp : 1);
    out.push({ rect, flip: o.flip ? v % 2 === 1 : false, brightness: j(0.25), contrast: j(0.25), saturation: j(0.3) });
  }
  return out;
}

/** RGB floats 0..255 (size x size x 3) of a planned view. */
export function renderView(photo: RgbaImage, plan: ViewPlan, size: number): Float32Array {
  const rgb = viewPixels(photo, plan.rect, size, plan.flip);
  if (plan.brightness === 1 && plan.contrast === 1 && plan.saturation === 1) return rgb;
  const n = size * size;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  mean /= n;
  for (let i = 0; i < n; i++) {
    const k = i * 3;
    const grey = 0.299 * rgb[k]! + 0.587 * rgb[k + 1]! + 0.114 * rgb[k + 2]!;
    for (let c = 0; c < 3; c++) {
      let v = grey + (rgb[k + c]! - grey) * plan.saturation;
      v = (v - mean) * plan.contrast + mean;
      rgb[k + c] = Math.min(255, Math.max(0, v * plan.brightness));
    }
  }
  return rgb;
}
