/** Reactive state of the Filter panel: the chosen kernel, its parameters, the editor's kernel and the options. */
import type { Editor } from '../../app/state/editor.svelte';
import type { Kernel } from '../compute/filter-options';
import { parseKernelFile } from '../compute/filter-kernel';
import {
  applyPresetDefaults,
  buildFilterOptions,
  defaultPanelSettings,
  defaultParams,
  parseSourceValue,
  sourceValue,
  suggestedOutput,
  type BuildResult,
  type KernelSource,
  type PanelSettings,
  type PresetChange,
} from './panel-options';

/** A kernel saved in the settings. */
export type UserKernel = Awaited<ReturnType<Editor['host']['getSettings']>>['userKernels'][number];

/** The panel's state; every user change goes through `touch()` so the live preview knows to run. */
export class FilterPanelState {
  source: KernelSource = $state.raw({ kind: 'preset', name: 'edges-horizontal' });
  params: Record<string, number> = $state({});
  /** The editor's kernel when the source is a user kernel or custom (immutable: replaced on edit). */
  custom: Kernel = $state.raw({ name: 'custom', matrix: [[0, 0, 0], [0, 1, 0], [0, 0, 0]] });
  settings: PanelSettings = $state({ ...defaultPanelSettings, channelMask: [true, true, true] });
  userKernels: UserKernel[] = $state.raw([]);
  /** The settings the last preset picked changed (shown under the preset; the user may change them back). */
  presetChanges: PresetChange[] = $state.raw([]);
  /** Bumped on every user change. */
  revision = $state(0);

  /** What the panel would run, or why it cannot. */
  readonly built: BuildResult = $derived(buildFilterOptions({ source: this.source, params: this.params, custom: this.custom, settings: this.settings }));

  /** The kernel the editor shows: the preset's first kernel, or the custom one. */
  readonly editorKernel: Kernel = $derived.by(() => {
    if (this.source.kind !== 'preset') return this.custom;
    return this.built.ok ? this.built.options.kernel : this.custom;
  });

  /** The `<select>` value of the current source. */
  get selectValue(): string {
    return sourceValue(this.source);
  }

  /** Records a user change (the preview starts after one). */
  touch(): void {
    this.revision++;
  }

  /** Picks a preset, a user kernel or the editor; presets bring their defaults (channels, border, output). */
  select(value: string): void {
    const s = parseSourceValue(value);
    this.presetChanges = [];
    if (s.kind === 'preset') {
      this.params = defaultParams(s.name);
      this.presetChanges = applyPresetDefaults(this.settings, s.name);
      this.settings.combine = null;
    } else if (s.kind === 'user') {
      const k = this.userKernels.find((u) => u.name === s.name);
      if (!k) return;
      this.custom = { ...k, matrix: k.matrix.map((r) => r.slice()) };
      this.settings.output = suggestedOutput(k);
    } else {
      const k = this.editorKernel;
      this.custom = { ...k, matrix: k.matrix.map((r) => r.slice()) };
    }
    this.source = s;
    this.touch();
  }

  /** Sets one preset parameter. */
  setParam(name: string, value: number): void {
    if (!Number.isFinite(value)) return;
    this.params[name] = value;
    this.touch();
  }

  /** Replaces the editor's kernel; a preset or user kernel being edited becomes a custom one. */
  editKernel(k: Kernel): void {
    this.custom = k;
    if (this.source.kind !== 'custom') this.source = { kind: 'custom' };
    this.touch();
  }

  /**
   * What an export of an applied filter carries: the engine options (what `onirique filter
   * --settings-from` re-applies) and the panel model (what "Restore these settings" puts back).
   */
  parameters(): Record<string, string> {
    const built = this.built;
    if (!built.ok) return {};
    const model = { source: this.source, params: $state.snapshot(this.params), custom: this.custom, settings: $state.snapshot(this.settings) };
    return {
      'onirique:operation': 'filter',
      'onirique:kernel': built.label,
      'onirique:filter-options': JSON.stringify($state.snapshot(built.options)),
      'onirique:filter-panel': JSON.stringify(model),
    };
  }

  /**
   * Puts back the panel an export's parameters describe (see `parameters`); a CLI export, which has
   * only the engine options, comes back as the editor's kernel with those options. False when none fit.
   */
  restore(p: Record<string, string>): boolean {
    try {
      return this.restoreFrom(p);
    } catch {
      // A damaged kernel in the file: nothing is restored.
      return false;
    }
  }

  private restoreFrom(p: Record<string, string>): boolean {
    const model = parseJson(p['onirique:filter-panel']);
    if (isRecord(model) && isRecord(model.source) && isRecord(model.settings) && isRecord(model.custom)) {
      this.source = model.source as KernelSource;
      this.params = isRecord(model.params) ? (model.params as Record<string, number>) : {};
      this.custom = parseKernelFile(JSON.stringify(model.custom), 'export');
      this.settings = { ...defaultPanelSettings, ...(model.settings as Partial<PanelSettings>) };
    } else {
      const o = parseJson(p['onirique:filter-options']);
      if (!isRecord(o) || !isRecord(o.kernel) || !Array.isArray(o.kernel.matrix)) return false;
      const settings: Record<string, unknown> = { ...defaultPanelSettings };
      for (const k of Object.keys(defaultPanelSettings)) if (k in o && k !== 'combine') settings[k] = o[k];
      this.custom = parseKernelFile(JSON.stringify(o.kernel), 'export');
      this.source = { kind: 'custom' };
      this.settings = settings as PanelSettings;
    }
    this.presetChanges = [];
    this.touch();
    return true;
  }

  /** Loads a kernel from a file into the editor, with the output its sum suggests. */
  adoptKernel(k: Kernel): void {
    this.custom = k;
    this.source = { kind: 'custom' };
    this.settings.output = suggestedOutput(k);
    this.touch();
  }
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
