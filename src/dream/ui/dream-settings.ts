/** The Dream panel's settings as the user sees them, presets, layer depth notes, and their engine options. */
import { autoPatternSize, type DreamOptions } from '../compute/dream-options';
import type { LayerInfo } from '../../core/net/plain-net';

/** Context pixels around a mask's box sent with the crop: network context, and ≥ FEATHER so the crop feathers like the whole. */
export const CROP_MARGIN = 48;
/** Width in pixels of the soft inner edge of the blended dream. */
export const FEATHER = 16;

/** Slider values of the panel (strength = blend opacity of the dream over the photo, 0..1). */
export interface DreamSettings {
  layer: string;
  /** Opacity of the dream blended over the photo inside the mask: 0 keeps the photo, 1 is the full dream. */
  strength: number;
  steps: number;
  octaves: number;
  octaveScale: number;
  stepSize: number;
  jitter: number;
  tile: number;
  seed: number;
  /** Photo pixels per network pixel; 0 = auto (the engine's 'auto' for the whole document, whatever crop is dreamt). */
  patternSize: number;
}

/** Defaults: the engine's defaults with fewer, larger steps (each stroke dreams at once, and must show at fit), auto pattern size. */
export const defaultDreamSettings: DreamSettings = {
  layer: 'conv_pw_9_relu',
  strength: 1,
  steps: 10,
  octaves: 3,
  octaveScale: 1.4,
  // 10 steps of 0.02 climb as far as the engine's 20 of 0.01: a first stroke changes ~8 levels at fit.
  stepSize: 0.02,
  jitter: 32,
  tile: 512,
  seed: 1,
  patternSize: 0,
};

/** Slider ranges: [min, max, step]. */
export const sliderRanges: Record<Exclude<keyof DreamSettings, 'layer' | 'seed'>, [number, number, number]> = {
  strength: [0, 1, 0.05],
  steps: [1, 50, 1],
  octaves: [1, 8, 1],
  octaveScale: [1.1, 2, 0.05],
  stepSize: [0.002, 0.05, 0.001],
  jitter: [0, 64, 1],
  tile: [128, 1024, 32],
  patternSize: [0, 16, 0.5],
};

/** Named presets: the layer (with its relative depth as fallback for other networks) and the climb. */
export interface DreamPreset {
  id: 'gentle' | 'textures' | 'eyes' | 'objects' | 'guided';
  layer: string;
  /** Where the layer sits in the network's conv layers (0 = first, 1 = last), used when `layer` is absent. */
  depth: number;
  settings: Partial<DreamSettings>;
  /** True when the preset is meant with a guide image (the dream then matches the guide's features). */
  guided?: boolean;
}

/**
 * The presets offered above the sliders. All keep the auto pattern size and climb about 0.2 input
 * units in total (steps × step size), so a first stroke shows at fit on any photo; gentle climbs
 * less (0.15) and blends at 0.8.
 */
export const dreamPresets: DreamPreset[] = [
  { id: 'gentle', layer: 'conv_pw_5_relu', depth: 0.35, settings: { steps: 10, octaves: 3, octaveScale: 1.4, stepSize: 0.015, jitter: 16, strength: 0.8, patternSize: 0 } },
  { id: 'textures', layer: 'conv_pw_4_relu', depth: 0.3, settings: { steps: 10, octaves: 3, octaveScale: 1.4, stepSize: 0.02, jitter: 16, strength: 1, patternSize: 0 } },
  { id: 'eyes', layer: 'conv_pw_9_relu', depth: 0.7, settings: { steps: 12, octaves: 4, octaveScale: 1.4, stepSize: 0.02, jitter: 32, strength: 1, patternSize: 0 } },
  { id: 'objects', layer: 'conv_pw_12_relu', depth: 0.92, settings: { steps: 16, octaves: 4, octaveScale: 1.5, stepSize: 0.015, jitter: 32, strength: 1, patternSize: 0 } },
  { id: 'guided', layer: 'conv_pw_9_relu', depth: 0.7, settings: { steps: 12, octaves: 3, octaveScale: 1.4, stepSize: 0.02, jitter: 32, strength: 1, patternSize: 0 }, guided: true },
];

/** The numeric pattern size of the settings for a document of this size (0 = auto, from the whole document). */
export function panelPatternSize(s: DreamSettings, doc: { width: number; height: number } | null): number {
  if (s.patternSize > 0) return Math.max(1, s.patternSize);
  return doc ? autoPatternSize(doc.width, doc.height) : 1;
}

/** Context around a mask's box in document pixels: CROP_MARGIN network pixels, so the dream sees the same context at any pattern size. */
export function cropMargin(s: DreamSettings, doc: { width: number; height: number } | null): number {
  return Math.ceil(CROP_MARGIN * panelPatternSize(s, doc));
}

/** What a layer's depth tends to dream. */
export type DepthBand = 'early' | 'textures' | 'parts' | 'objects';

/** Activation layers of the conv blocks (3-D outputs after a ReLU), shallow to deep. */
export function convLayers(layers: LayerInfo[]): string[] {
  const spatial = layers.filter((l) => l.shape.length === 3 && !/softmax|pred|pool|reshape|dropout|input/i.test(l.name));
  const relu = spatial.filter((l) => /relu/i.test(l.name) || l.kind === 'ReLU');
  return (relu.length > 0 ? relu : spatial).map((l) => l.name);
}

/** Depth band of a layer: from its MobileNet block number, else from its place in `all`. */
export function depthBand(name: string, all: string[]): DepthBand {
  const m = /conv_(?:pw|dw)_(\d+)/.exec(name);
  const block = m ? Number(m[1]) : /^conv1/.test(name) ? 0 : null;
  if (block !== null) return block <= 2 ? 'early' : block <= 6 ? 'textures' : block <= 11 ? 'parts' : 'objects';
  const f = all.length > 1 ? all.indexOf(name) / (all.length - 1) : 0.5;
  return f < 0.15 ? 'early' : f < 0.45 ? 'textures' : f < 0.85 ? 'parts' : 'objects';
}

/** A preset's settings for a network with these conv layers (its layer, or the one at its depth). */
export function applyPreset(p: DreamPreset, current: DreamSettings, layers: string[]): DreamSettings {
  const layer = layers.length === 0 || layers.includes(p.layer) ? p.layer : layers[Math.round(p.depth * (layers.length - 1))]!;
  return { ...current, ...p.settings, layer };
}

/** Engine options for these settings; `doc` (the whole document's size) resolves the auto pattern size, null dreams at full resolution. */
export function toDreamOptions(s: DreamSettings, feather = FEATHER, doc: { width: number; height: number } | null = null): Partial<DreamOptions> {
  return {
    patternSize: panelPatternSize(s, doc),
    layers: [{ name: s.layer, weight: 1 }],
    strength: s.strength,
    steps: s.steps,
    octaves: s.octaves,
    octaveScale: s.octaveScale,
    stepSize: s.stepSize,
    jitter: s.jitter,
    tile: s.tile,
    seed: s.seed,
    feather,
    previewSize: 192,
  };
}

/** Steps the live preview runs at most: a sketch of the effect, not the result. */
export const PREVIEW_STEPS = 4;

/** Options of the live preview on a crop downscaled by `scale` (≤ 1): one octave, few steps, jitter and pattern size scaled. */
export function previewOptions(s: DreamSettings, scale: number, doc: { width: number; height: number } | null = null): Partial<DreamOptions> {
  return {
    ...toDreamOptions(s, 0),
    // The crop is already `scale` times smaller: what is left of the pattern size to apply.
    patternSize: Math.max(1, panelPatternSize(s, doc) * scale),
    steps: Math.min(s.steps, PREVIEW_STEPS),
    octaves: 1,
    jitter: Math.round(s.jitter * scale),
    tile: 256,
    previewSize: 0,
  };
}

/** Descriptive history label, e.g. "Dream conv_pw_9_relu ×0.8 steps 10 seed 3". */
export function dreamLabel(s: DreamSettings, what = 'Dream'): string {
  return `${what} ${s.layer} ×${Number(s.strength.toFixed(2))} steps ${s.steps} octaves ${s.octaves} seed ${s.seed}`;
}

/** Clamps every value into its slider range (settings restored or typed in stay usable). */
export function clampSettings(s: DreamSettings): DreamSettings {
  const out = { ...s };
  for (const [k, [min, max]] of Object.entries(sliderRanges) as [keyof typeof sliderRanges, [number, number, number]][]) {
    const v = Number(out[k]);
    out[k] = Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : defaultDreamSettings[k];
  }
  for (const k of ['steps', 'octaves', 'jitter', 'tile'] as const) out[k] = Math.round(out[k]);
  out.seed = Number.isFinite(out.seed) ? Math.round(out.seed) : 1;
  return out;
}
