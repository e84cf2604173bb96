/** Models as the panels see them: what the host has, installing one, and loading it into the worker. */
import type { HostApi, HostProgress, ModelEntry } from '../../host/host-contract';
import type { ComputeClient } from '../../compute/compute-client';
import type { ModelInfo } from '../../core/net/model-cache';

/**
 * Shared by the Explain and Dream panels so a model is installed and loaded once. Its state is
 * private: panels read it through getters and change it only through the methods.
 */
export class ModelState {
  #entries: ModelEntry[] = $state.raw([]);
  #activeEntry: ModelEntry | null = $state.raw(null);
  #active: ModelInfo | null = $state.raw(null);
  #installing: (HostProgress & { id: string }) | null = $state.raw(null);
  #loading = $state(false);
  #error: string | null = $state(null);
  private loadingPromise: Promise<ModelInfo | null> | null = null;

  constructor(
    private host: HostApi,
    private compute: ComputeClient,
  ) {
    // Installs, imports and removals from any window or the CLI: every panel sees the new list at once.
    host.onModelsChanged(() => void this.onHostChange());
  }

  /** The models the host has (catalog and installed). */
  get entries(): ModelEntry[] {
    return this.#entries;
  }

  /** The entry whose network is loaded in the worker. */
  get activeEntry(): ModelEntry | null {
    return this.#activeEntry;
  }

  /** What the worker reports about the loaded network (layers, last conv layer, labels). */
  get active(): ModelInfo | null {
    return this.#active;
  }

  /** Download progress while installing. */
  get installing(): (HostProgress & { id: string }) | null {
    return this.#installing;
  }

  /** True while a network is being loaded into the worker. */
  get loading(): boolean {
    return this.#loading;
  }

  /** The last install, import or load failure, shown under the picker; null after a success starts. */
  get error(): string | null {
    return this.#error;
  }

  /** Reloads the list from the host. */
  async refresh(): Promise<ModelEntry[]> {
    this.#entries = await this.host.listModels();
    return this.#entries;
  }

  /**
   * The host's models changed: reload the list; when the loaded model was removed, forget it; when
   * it was replaced (other weights or other class names), load it again so Explain shows the new names.
   */
  private async onHostChange(): Promise<void> {
    const before = this.#activeEntry;
    const entries = await this.refresh();
    if (!before) return;
    const now = entries.find((e) => e.id === before.id && e.installed);
    if (!now) {
      this.#activeEntry = null;
      this.#active = null;
      if (entries.some((e) => e.installed)) await this.ensureLoaded();
      return;
    }
    if (!sameModel(before, now)) {
      this.#active = null;
      await this.ensureLoaded(now.id);
    }
  }

  /** Downloads and verifies a catalog model, with progress; returns false on failure or cancel. */
  async install(id: string): Promise<boolean> {
    this.#error = null;
    this.#installing = { id, done: 0, total: 1, label: '' };
    try {
      const r = await this.host.installModel(id, { onProgress: (p) => (this.#installing = { ...p, id }) });
      if (!r.ok) {
        this.#error = r.error;
        return false;
      }
      await this.refresh();
      return true;
    } finally {
      this.#installing = null;
    }
  }

  /** Stops a running download; nothing partial is kept. */
  cancelInstall(): void {
    if (this.#installing) this.host.cancelInstall(this.#installing.id);
  }

  /**
   * Imports a model folder the user picks; returns the new entry (the caller refreshes and loads it),
   * or null when the dialog was cancelled or the import failed (then `error` says why).
   */
  async importFolder(): Promise<ModelEntry | null> {
    const r = await this.host.importModel();
    if (!r) return null;
    if (!r.ok) {
      this.#error = r.error;
      return null;
    }
    return r.value;
  }

  /** Loads `id` (default: the active or first installed model) into the worker once; null when none is installed. */
  ensureLoaded(id?: string): Promise<ModelInfo | null> {
    const wanted = id ?? this.#activeEntry?.id ?? this.#entries.find((e) => e.installed)?.id;
    if (this.#active && this.#activeEntry?.id === wanted) return Promise.resolve(this.#active);
    this.loadingPromise ??= this.load(wanted).finally(() => (this.loadingPromise = null));
    return this.loadingPromise;
  }

  private async load(wanted: string | undefined): Promise<ModelInfo | null> {
    if (this.#entries.length === 0) await this.refresh();
    const entry = this.#entries.find((e) => e.id === (wanted ?? this.#entries.find((x) => x.installed)?.id));
    if (!entry || !entry.installed || !entry.url) return null;
    this.#loading = true;
    this.#error = null;
    try {
      const info = await this.compute.call('loadModel', {
        id: entry.id,
        source: { url: new URL(entry.url, document.baseURI).href },
        labels: entry.labels ?? undefined,
        range: entry.range,
        inputSize: entry.inputSize,
      });
      this.#activeEntry = entry;
      this.#active = info;
      return info;
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
      return null;
    } finally {
      this.#loading = false;
    }
  }
}

/** Same weights and same class names: nothing to reload. */
function sameModel(a: ModelEntry, b: ModelEntry): boolean {
  return (
    a.sha256 === b.sha256 &&
    a.inputSize === b.inputSize &&
    a.range === b.range &&
    a.labelsSource === b.labelsSource &&
    (a.labels?.length ?? 0) === (b.labels?.length ?? 0) &&
    (a.labels ?? []).every((l, i) => b.labels?.[i] === l)
  );
}
