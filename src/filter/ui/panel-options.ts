/**
 * The Filter panel's model as plain data, and the pure steps from it to the engine's FilterOptions.
 * Kept free of Svelte and DOM so the unit tests check exactly what the panel sends to the worker.
 */
import { gimpNormalisation, kernelInfo } from '../compute/filter-kernel';
import {
  defaultFilterOptions,
  type CombineMode,
  type FilterOptions,
  type Kernel,
  type OutputMode,
} from '../compute/filter-options';
import { findPreset, presetOptions } from '../compute/kernels';

/** Largest kernel side the editor grid shows as cells (larger kernels still run, read-only). */
export const EDITOR_MAX_SIDE = 15;

/** Where the panel's kernel comes from: a preset with parameters, a saved user kernel, or the editor. */
export type KernelSource = { kind: 'preset'; name: string } | { kind: 'user'; name: string } | { kind: 'custom' };

/** The options the panel sets besides the kernel itself: the engine's own, plus a combine override. */
export type PanelSettings = Pick<FilterOptions, 'channels' | 'channelMask' | 'border' | 'mode' | 'stride' | 'dilation' | 'flip' | 'output' | 'normalise' | 'tileSize'> & {
  /** Replaces a gradient-pair preset's combine (magnitude ↔ direction); null keeps the preset's. */
  combine: CombineMode | null;
};

/** Defaults: the engine's (the article's display of its edge kernel). */
export const defaultPanelSettings: PanelSettings = {
  channels: defaultFilterOptions.channels,
  channelMask: [...defaultFilterOptions.channelMask],
  border: defaultFilterOptions.border,
  mode: defaultFilterOptions.mode,
  stride: defaultFilterOptions.stride,
  dilation: defaultFilterOptions.dilation,
  flip: defaultFilterOptions.flip,
  output: defaultFilterOptions.output,
  normalise: defaultFilterOptions.normalise,
  tileSize: defaultFilterOptions.tileSize,
  combine: null,
};

/** Presets that keep the photo a photo (blur, sharpen): each colour channel on its own, mirrored at the border. */
const PHOTO_PRESETS = new Set(['gaussian', 'box', 'sharpen', 'unsharp', 'identity']);

/** The settings a preset brings when picked: photo filters on R, G, B with a reflect border; edge and derivative kernels on luminance, with the preset's mapping (|value| scaled, magnitude). */
export function presetDefaults(name: string): Partial<Pick<PanelSettings, 'channels' | 'border' | 'output'>> {
  const output = presetOptions(name).output;
  return PHOTO_PRESETS.has(name) ? { channels: 'rgb', border: 'reflect', output } : { channels: 'luma', output };
}

/** One setting a preset changed, for the panel's note. */
export type PresetChange = { key: 'channels'; value: PanelSettings['channels'] } | { key: 'border'; value: PanelSettings['border'] } | { key: 'output'; value: PanelSettings['output'] };

/** Applies a preset's defaults to the settings in place and returns what actually changed. */
export function applyPresetDefaults(settings: PanelSettings, name: string): PresetChange[] {
  const d = presetDefaults(name);
  const changes: PresetChange[] = [];
  if (d.channels && d.channels !== settings.channels) changes.push({ key: 'channels', value: (settings.channels = d.channels) });
  if (d.channels === 'rgb' && settings.channelMask.some((m) => !m)) settings.channelMask = [true, true, true];
  if (d.border && d.border !== settings.border) changes.push({ key: 'border', value: (settings.border = d.border) });
  if (d.output && d.output !== settings.output) changes.push({ key: 'output', value: (settings.output = d.output) });
  return changes;
}

/** Everything that decides the filter: source, preset parameters, the editor's kernel and the settings. */
export interface PanelModel {
  source: KernelSource;
  params: Record<string, number>;
  /** The editor's kernel (used when the source is 'user' or 'custom'). */
  custom: Kernel;
  settings: PanelSettings;
}

/** The `<select>` value of a source: preset names as they are, `user:NAME`, `custom`. */
export function sourceValue(s: KernelSource): string {
  return s.kind === 'preset' ? s.name : s.kind === 'user' ? `user:${s.name}` : 'custom';
}

/** Inverse of sourceValue. */
export function parseSourceValue(v: string): KernelSource {
  if (v === 'custom') return { kind: 'custom' };
  if (v.startsWith('user:')) return { kind: 'user', name: v.slice(5) };
  return { kind: 'preset', name: v };
}

/** Default parameter values of a preset (empty for unknown names). */
export function defaultParams(presetName: string): Record<string, number> {
  const p = findPreset(presetName);
  return Object.fromEntries((p?.params ?? []).map((q) => [q.name, q.default]));
}

/** Which combine modes the user may switch between for a preset's own combine. */
export function combineChoices(presetCombine: CombineMode): CombineMode[] {
  return presetCombine === 'magnitude' || presetCombine === 'direction' ? ['magnitude', 'direction'] : [];
}

/** The result of building: options to run, or a message saying why they cannot run. */
export type BuildResult = { ok: true; options: FilterOptions; label: string } | { ok: false; error: string };

/** Builds the engine options from the panel model; bad parameters give a user-facing message. */
export function buildFilterOptions(model: PanelModel): BuildResult {
  const s = model.settings;
  const common = {
    channels: s.channels,
    channelMask: [...s.channelMask] as [boolean, boolean, boolean],
    border: s.border,
    mode: s.mode,
    stride: s.stride,
    dilation: s.dilation,
    flip: s.flip,
    output: s.output,
    normalise: s.normalise,
    tileSize: Number.isInteger(s.tileSize) && s.tileSize > 0 ? s.tileSize : 0,
  };
  if (!(Number.isInteger(s.stride) && s.stride >= 1)) return { ok: false, error: 'Stride must be a whole number ≥ 1.' };
  if (!(Number.isInteger(s.dilation) && s.dilation >= 1)) return { ok: false, error: 'Dilation must be a whole number ≥ 1.' };
  if (model.source.kind === 'preset') {
    let p;
    try {
      p = presetOptions(model.source.name, model.params);
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    const preset = p.combine ?? 'none';
    const combine = s.combine && combineChoices(preset).includes(s.combine) ? s.combine : preset;
    const options: FilterOptions = {
      ...defaultFilterOptions,
      ...p,
      ...common,
      kernel: { ...p.kernel, matrix: p.kernel.matrix.map((r) => r.slice()) },
      combine,
    };
    return { ok: true, options, label: model.source.name };
  }
  const k = model.custom;
  const options: FilterOptions = {
    ...defaultFilterOptions,
    ...common,
    kernel: { ...k, matrix: k.matrix.map((r) => r.slice()) },
    combine: 'none',
  };
  return { ok: true, options, label: k.name ?? 'custom' };
}

/** The output mapping that suits a kernel: zero-sum kernels (edges) need |v| scaled; others clamp. */
export function suggestedOutput(kernel: Kernel): OutputMode {
  return kernelInfo(kernel.matrix).zeroSum ? 'abs-max' : 'clamp';
}

/** True when the output would be centred on 0 and clamped, so half the response turns black. */
export function zeroSumClipped(options: FilterOptions): boolean {
  if (options.combine !== 'none') return false;
  if (!kernelInfo(options.kernel.matrix).zeroSum) return false;
  if (options.output !== 'clamp') return false;
  const offset = options.normalise ? gimpNormalisation(options.kernel.matrix).offset : (options.kernel.offset ?? 0);
  return offset === 0;
}

/** A copy of the matrix resized to rows x cols, its anchor (centre tap) kept in place; new cells are 0. */
export function resizeMatrix(m: number[][], rows: number, cols: number): number[][] {
  const h = m.length;
  const w = m[0]?.length ?? 0;
  // The engine anchors a kernel at floor(side / 2): keep that tap the anchor so the image does not shift.
  const dy = Math.floor(rows / 2) - Math.floor(h / 2);
  const dx = Math.floor(cols / 2) - Math.floor(w / 2);
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => {
      const si = i - dy;
      const sj = j - dx;
      return si >= 0 && si < h && sj >= 0 && sj < w ? m[si]![sj]! : 0;
    }),
  );
}

/** A copy of the kernel with one cell changed. */
export function setCell(k: Kernel, i: number, j: number, v: number): Kernel {
  return { ...k, matrix: k.matrix.map((r, y) => (y === i ? r.map((x, c) => (c === j ? v : x)) : r.slice())) };
}

/** A copy of the kernel with GIMP's divisor and offset for its sum (what "Normalise" sets). */
export function normaliseKernel(k: Kernel): Kernel {
  const { divisor, offset } = gimpNormalisation(k.matrix);
  return { ...k, matrix: k.matrix.map((r) => r.slice()), divisor, offset };
}

/** The kernel as stored in settings (name required, default fields dropped). */
export function toUserKernel(k: Kernel, name: string): { name: string; matrix: number[][]; divisor?: number; offset?: number } {
  const out: { name: string; matrix: number[][]; divisor?: number; offset?: number } = { name, matrix: k.matrix.map((r) => r.slice()) };
  if (k.divisor !== undefined && k.divisor !== 1) out.divisor = k.divisor;
  if (k.offset !== undefined && k.offset !== 0) out.offset = k.offset;
  return out;
}

/** The user-kernel list with `k` saved under its name (replacing one of the same name). */
export function saveUserKernel<T extends { name: string }>(list: T[], k: T): T[] {
  const i = list.findIndex((x) => x.name === k.name);
  return i < 0 ? [...list, k] : list.map((x, j) => (j === i ? k : x));
}

/** A file name for exporting a kernel: its name reduced to safe characters. */
export function kernelFileName(k: Kernel): string {
  const base = (k.name ?? 'kernel').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'kernel';
  return `${base}.json`;
}
