/** Models as the panels see them: what the host has, installing one, and loading it into the worker. */
import type { HostApi, HostProgress, ModelEntry } from '../../electron/ipc-contract';
import type { ComputeClient } from '../compute-client';
import type { ModelInfo } from '../worker/compute/net/model-cache';

/** Shared by the Explain and Dream panels so a model is installed and loaded once. */
export class ModelState {
  entries: ModelEntry[] = $state.raw([]);
  /** The entry whose network is loaded in the worker. */
  activeEntry: ModelEntry | null = $state.raw(null);
  /** What the worker reports about the loaded network (layers, last conv layer, labels). */
  active: ModelInfo | null = $state.raw(null);
  /** Download progress while installing. */
  installing: (HostProgress & { id: string }) | null = $state.raw(null);
  loading = $state(false);
  error: string | null = $state(null);
  private loadingPromise: Promise<ModelInfo | null> | null = null;

  constructor(
    private host: HostApi,
    private compute: ComputeClient,
  ) {}

  /** Reloads the list from the host. */
  async refresh(): Promise<ModelEntry[]> {
    this.entries = await this.host.listModels();
    return this.entries;
  }

  /** Downloads and verifies a catalog model, with progress; returns false on failure or cancel. */
  async install(id: string): Promise<boolean> {
    this.error = null;
    this.installing = { id, done: 0, total: 1, label: '' };
    try {
      const r = await this.host.installModel(id, { onProgress: (p) => (this.installing = { ...p, id }) });
      if (!r.ok) {
        this.error = r.error;
        return false;
      }
      await this.refresh();
      return true;
    } finally {
      this.installing = null;
    }
  }

  /** Stops a running download; nothing partial is kept. */
  cancelInstall(): void {
    if (this.installing) this.host.cancelInstall(this.installing.id);
  }

  /** Loads `id` (default: the active or first installed model) into the worker once; null when none is installed. */
  ensureLoaded(id?: string): Promise<ModelInfo | null> {
    const wanted = id ?? this.activeEntry?.id ?? this.entries.find((e) => e.installed)?.id;
    if (this.active && this.activeEntry?.id === wanted) return Promise.resolve(this.active);
    this.loadingPromise ??= this.load(wanted).finally(() => (this.loadingPromise = null));
    return this.loadingPromise;
  }

  private async load(wanted: string | undefined): Promise<ModelInfo | null> {
    if (this.entries.length === 0) await this.refresh();
    const entry = this.entries.find((e) => e.id === (wanted ?? this.entries.find((x) => x.installed)?.id));
    if (!entry || !entry.installed || !entry.url) return null;
    this.loading = true;
    this.error = null;
    try {
      const info = await this.compute.call('loadModel', {
        id: entry.id,
        source: { url: new URL(entry.url, document.baseURI).href },
        labels: entry.labels ?? undefined,
        range: entry.range,
        inputSize: entry.inputSize,
      });
      this.activeEntry = entry;
      this.active = info;
      return info;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return null;
    } finally {
      this.loading = false;
    }
  }
}
