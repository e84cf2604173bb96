/** Reactive state of the Filter panel: the chosen kernel, its parameters, the editor's kernel and the options. */
import type { Editor } from '../../state/editor.svelte';
import { perEditor } from '../../state/per-editor';
import type { Kernel } from '../../worker/compute/filter-options';
import { presetOptions } from '../../worker/compute/kernels';
import {
  buildFilterOptions,
  defaultPanelSettings,
  defaultParams,
  parseSourceValue,
  sourceValue,
  suggestedOutput,
  type BuildResult,
  type KernelSource,
  type PanelSettings,
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

  /** Picks a preset, a user kernel or the editor; presets bring their suggested output. */
  select(value: string): void {
    const s = parseSourceValue(value);
    if (s.kind === 'preset') {
      this.params = defaultParams(s.name);
      this.settings.output = presetOptions(s.name).output;
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

  /** Loads a kernel from a file into the editor, with the output its sum suggests. */
  adoptKernel(k: Kernel): void {
    this.custom = k;
    this.source = { kind: 'custom' };
    this.settings.output = suggestedOutput(k);
    this.touch();
  }
}

/** The editor's Filter panel state: leaving the tab and coming back keeps the kernel and options. */
export const filterPanelStateFor = perEditor(() => new FilterPanelState());
