/** Options of the Deep Dream engine, with their defaults beside them. */
import type { RgbaImage } from '../../core/image';

/** One objective layer: its activations are pushed up with this weight. */
export interface DreamLayer {
  /** Layer (output) name in the network, e.g. `conv_pw_9_relu`. */
  name: string;
  /** Relative weight; negative values push the layer down. */
  weight: number;
  /** Only these channels count; null or absent means all channels. */
  channels?: number[] | null;
}

/** How a layer's activations become one number to climb. */
export type DreamReduce = 'mean' | 'l2';

/** How the raw gradient is scaled before a step (so step size means the same at every scale). */
export type DreamNormalize = 'std' | 'mean-abs';

/** Everything a dream run needs besides the image, mask and network. */
export interface DreamOptions {
  layers: DreamLayer[];
  /** mean: mean activation; l2: mean squared activation (stronger on already-active units). */
  reduce: DreamReduce;
  /** Also climb this class's pre-softmax logit; null for none. */
  classIndex: number | null;
  /** Weight of the class logit term. */
  classWeight: number;
  /** Gradient-ascent steps at each octave. */
  steps: number;
  /** Number of scales, smallest first; 1 dreams only at full size. */
  octaves: number;
  /** Size ratio between consecutive octaves (> 1). */
  octaveScale: number;
  /** Step in network input units ([-1, 1] for MobileNet) per normalised gradient. */
  stepSize: number;
  normalize: DreamNormalize;
  /** Largest random roll of the image per step, in pixels at the octave's size; 0 turns it off. */
  jitter: number;
  /** Largest tile side (core, without overlap) sent through the network at once. */
  tile: number;
  /** Context pixels added on each side of a tile so tile borders leave no seam. */
  tileOverlap: number;
  /** PRNG seed: same image, options and seed give the same pixels on the same backend. */
  seed: number;
  /** Width in pixels of the soft inner edge of the mask. */
  feather: number;
  /** Blend opacity of the dream over the original, 0..1. */
  strength: number;
  /** Longest side of the preview sent with progress; 0 sends none. */
  previewSize: number;
  /** Octaves whose shorter side would fall under this many pixels are dropped. */
  minOctaveSize: number;
  /** Measure the objective before and after each octave (two extra forward passes per octave). */
  measure: boolean;
  /**
   * Photo pixels per network pixel: the network dreams at the photo's size divided by this, and the
   * detail it adds is carried up to full size (1 = full resolution; 'auto' = {@link autoPatternSize}).
   */
  patternSize: number | 'auto';
  /** Guided dream: climb towards this image's features at each layer (best-matching guide vector per position); null for none. */
  guide: RgbaImage | null;
}

/** Longest side the network works at under 'auto': its patterns then show at fit (a ~1000 px view) at 1.5-2x their native size, on any photo. */
export const AUTO_WORKING_SIDE = 640;

/** Pattern size 'auto' for a photo: 1 up to AUTO_WORKING_SIDE, then whatever brings the longest side down to it. */
export function autoPatternSize(width: number, height: number): number {
  return Math.max(1, Math.max(width, height) / AUTO_WORKING_SIDE);
}

/** The numeric pattern size of options for a photo of this size. */
export function resolvePatternSize(p: number | 'auto', width: number, height: number): number {
  return p === 'auto' ? autoPatternSize(width, height) : p;
}

/** Defaults: the CLI's defaults, and the original deepdream scheme on a mid MobileNet layer. */
export const defaultDreamOptions: DreamOptions = {
  layers: [{ name: 'conv_pw_9_relu', weight: 1 }],
  reduce: 'mean',
  classIndex: null,
  classWeight: 1,
  steps: 20,
  octaves: 4,
  octaveScale: 1.4,
  stepSize: 0.01,
  normalize: 'std',
  jitter: 32,
  tile: 512,
  tileOverlap: 64,
  seed: 1,
  feather: 16,
  strength: 1,
  previewSize: 256,
  minOctaveSize: 32,
  measure: false,
  patternSize: 'auto',
  guide: null,
};

/** Merges partial options over the defaults and returns a message for the user when unusable. */
export function resolveDreamOptions(partial: Partial<DreamOptions>): DreamOptions {
  const o: DreamOptions = { ...defaultDreamOptions, ...partial };
  const err = validateDreamOptions(o);
  if (err) throw new Error(err);
  return o;
}

function isInt(v: number, min: number, max: number): boolean {
  return Number.isInteger(v) && v >= min && v <= max;
}

/** Checks options; returns a message for the user, or null when they can be used. */
export function validateDreamOptions(o: DreamOptions): string | null {
  if (o.layers.length === 0 && o.classIndex === null) return 'Choose at least one layer or a class to dream.';
  for (const l of o.layers) {
    if (!l.name) return 'Every dream layer needs a name.';
    if (!Number.isFinite(l.weight)) return `Layer ${l.name}: the weight must be a finite number.`;
    if (l.channels && l.channels.some((c) => !isInt(c, 0, 1 << 16))) return `Layer ${l.name}: channels must be non-negative integers.`;
    if (l.channels && l.channels.length === 0) return `Layer ${l.name}: the channel list is empty.`;
  }
  if (o.classIndex !== null && !isInt(o.classIndex, 0, 1 << 20)) return 'The class must be a non-negative integer.';
  if (!isInt(o.steps, 0, 10_000)) return 'Steps must be an integer from 0 to 10000.';
  if (!isInt(o.octaves, 1, 20)) return 'Octaves must be an integer from 1 to 20.';
  if (!(o.octaveScale > 1 && o.octaveScale <= 4)) return 'The octave scale must be above 1 and at most 4.';
  if (!(Number.isFinite(o.stepSize) && o.stepSize >= 0)) return 'The step size must be a non-negative number.';
  if (!isInt(o.jitter, 0, 4096)) return 'Jitter must be an integer number of pixels from 0 to 4096.';
  if (!isInt(o.tile, 32, 8192)) return 'The tile size must be an integer from 32 to 8192.';
  if (!isInt(o.tileOverlap, 0, 1024)) return 'The tile overlap must be an integer from 0 to 1024.';
  if (!Number.isInteger(o.seed)) return 'The seed must be an integer.';
  if (!(Number.isFinite(o.feather) && o.feather >= 0)) return 'The feather must be a non-negative number of pixels.';
  if (!(o.strength >= 0 && o.strength <= 1)) return 'Strength must be between 0 and 1.';
  if (!isInt(o.previewSize, 0, 4096)) return 'The preview size must be an integer from 0 to 4096.';
  if (!isInt(o.minOctaveSize, 8, 4096)) return 'The minimum octave size must be an integer from 8 to 4096.';
  if (o.patternSize !== 'auto' && !(o.patternSize >= 1 && o.patternSize <= 64)) return 'The pattern size must be auto or a number from 1 to 64.';
  if (o.guide) {
    if (o.layers.length === 0) return 'A guided dream needs a layer whose features the guide gives.';
    const g = o.guide;
    if (!(g.width >= 1 && g.height >= 1 && g.data.length === g.width * g.height * 4)) return 'The guide image buffer does not match its size.';
  }
  return null;
}

/** Parses `name[:weight],name[:weight]` (the CLI's --layer) into layers. */
export function parseLayerSpec(spec: string, channels: number[] | null = null): DreamLayer[] {
  return spec.split(',').map((part) => {
    const [name = '', w] = part.trim().split(':');
    const weight = w === undefined || w === '' ? 1 : Number(w);
    if (!name || !Number.isFinite(weight)) throw new Error(`Bad layer “${part}”: use NAME or NAME:WEIGHT.`);
    return channels ? { name, weight, channels } : { name, weight };
  });
}
