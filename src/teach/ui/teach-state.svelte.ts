/**
 * The Teach panel's state, owned by the app shell (so leaving the tab keeps the classes, the curves
 * and the result): classes and their photos, the training settings, the live epochs, the outcome,
 * and the Network view. Fields are private; the panel changes them only through the methods.
 */
import type { Editor } from '../../app/state/editor.svelte';
import { t } from '../../app/i18n/i18n.svelte';
import type { ModelEntry } from '../../host/host-contract';
import type { EpochStats } from '../compute/head';
import type { NetworkRow } from '../compute/network-table';
import type { LayerFilters } from '../compute/teach-op';
import type { TeachOutcome } from '../compute/teach-pipeline';
import '../teach-messages';
import { epochFromMetrics, MAX_CLASSES, MIN_CLASSES, trainBlocker } from './teach-logic';
import { decodePhoto, looksLikePhoto, type TeachPhoto } from './teach-photos';

/** One class: its name and photos. */
export interface TeachClass {
  id: number;
  name: string;
  photos: TeachPhoto[];
}

/** The training settings the panel shows. */
export interface TeachSettings {
  layer: string;
  epochs: number;
  valFraction: number;
  learningRate: number;
  patience: number;
  flip: boolean;
  crop: boolean;
  jitter: boolean;
  views: number;
  modelName: string;
}

/** Defaults: the CLI's (teach-command.ts), augmentation off. */
export const defaultTeachSettings: TeachSettings = { layer: 'auto', epochs: 20, valFraction: 0.2, learningRate: 1e-3, patience: 5, flip: false, crop: false, jitter: false, views: 4, modelName: 'My classes' };

/** The panel's state for one window. */
export class TeachState {
  #classes: TeachClass[] = $state.raw([]);
  #nextClass = 1;
  #settings: TeachSettings = $state({ ...defaultTeachSettings });
  #history: EpochStats[] = $state.raw([]);
  #training = $state(false);
  #outcome: TeachOutcome | null = $state.raw(null);
  /** Photos of the run the outcome describes (indices of the outcome point here). */
  #outcomePhotos: TeachPhoto[] = $state.raw([]);
  #outcomeLabels: number[] = $state.raw([]);
  #saved: ModelEntry | null = $state.raw(null);
  #network: { url: string; rows: NetworkRow[] } | null = $state.raw(null);
  #filters: LayerFilters | null = $state.raw(null);
  #selectedLayer: string | null = $state(null);
  #note: string | null = $state(null);

  constructor(private editor: Editor) {
    this.#classes = [this.#newClass(), this.#newClass()];
  }

  #newClass(): TeachClass {
    const n = this.#nextClass++;
    return { id: n, name: t('teach.defaultName', { n }), photos: [] };
  }

  /** The classes, in order (class index = position). */
  get classes(): readonly TeachClass[] {
    return this.#classes;
  }
  /** The settings (bound to the panel's inputs). */
  get settings(): TeachSettings {
    return this.#settings;
  }
  /** Epochs of the running (or last) training. */
  get history(): readonly EpochStats[] {
    return this.#history;
  }
  /** True while training runs. */
  get training(): boolean {
    return this.#training;
  }
  /** The last finished run. */
  get outcome(): TeachOutcome | null {
    return this.#outcome;
  }
  /** The photos the outcome's indices point at, and their classes. */
  get outcomePhotos(): readonly TeachPhoto[] {
    return this.#outcomePhotos;
  }
  /** Class of each outcome photo. */
  get outcomeLabels(): readonly number[] {
    return this.#outcomeLabels;
  }
  /** The model entry the last run was saved as. */
  get saved(): ModelEntry | null {
    return this.#saved;
  }
  /** The Network view's table of the active model (null until shown). */
  get network(): { url: string; rows: NetworkRow[] } | null {
    return this.#network;
  }
  /** Filters of the selected layer. */
  get filters(): LayerFilters | null {
    return this.#filters;
  }
  /** The layer clicked in the Network view. */
  get selectedLayer(): string | null {
    return this.#selectedLayer;
  }
  /** A line about photos that were not added. */
  get note(): string | null {
    return this.#note;
  }

  /** Why Train is disabled (an i18n key), or null. */
  get blocker(): string | null {
    return trainBlocker(this.#classes.map((c) => ({ name: c.name, photos: c.photos.length })), this.editor.models.active !== null, this.editor.job !== null || this.#training);
  }

  /** Adds an empty class (up to 20). */
  addClass(): void {
    if (this.#classes.length < MAX_CLASSES) this.#classes = [...this.#classes, this.#newClass()];
  }
  /** Removes a class and its photos (down to 2). */
  removeClass(id: number): void {
    if (this.#classes.length > MIN_CLASSES) this.#classes = this.#classes.filter((c) => c.id !== id);
  }
  /** Renames a class. */
  rename(id: number, name: string): void {
    this.#classes = this.#classes.map((c) => (c.id === id ? { ...c, name } : c));
  }
  /** Removes one photo. */
  removePhoto(classId: number, photoId: string): void {
    this.#classes = this.#classes.map((c) => (c.id === classId ? { ...c, photos: c.photos.filter((p) => p.id !== photoId) } : c));
  }

  /** Decodes and adds files to a class; files that are not photos, or already in a class by name, are left out with a note. */
  async addFiles(classId: number, files: readonly File[]): Promise<void> {
    const skipped: string[] = [];
    const added: TeachPhoto[] = [];
    for (const f of files) {
      if (!looksLikePhoto(f)) {
        if (!f.name.startsWith('.')) skipped.push(f.name);
        continue;
      }
      const p = await decodePhoto(f);
      if (p) added.push(p);
      else skipped.push(f.name);
    }
    this.#classes = this.#classes.map((c) => (c.id === classId ? { ...c, photos: [...c.photos, ...added] } : c));
    this.#note = skipped.length ? t('teach.skipped', { names: skipped.slice(0, 8).join(', ') + (skipped.length > 8 ? '…' : '') }) : null;
  }

  /** Trains on the classes, shows the curves live, then saves the model in the manager and makes it the active one. */
  async train(): Promise<boolean> {
    const entry = this.editor.models.activeEntry;
    if (this.blocker || !entry?.url) return false;
    const classes = this.#classes;
    const photos = classes.flatMap((c) => c.photos);
    const labels = classes.flatMap((c, i) => c.photos.map(() => i));
    const s = { ...this.#settings };
    const augment = s.flip || s.crop || s.jitter ? { flip: s.flip, crop: s.crop, jitter: s.jitter, views: s.views } : { flip: false, crop: false, jitter: false, views: 1 };
    this.#history = [];
    this.#training = true;
    try {
      const outcome = await this.editor.runJob(t('teach.job'), (signal, onProgress) =>
        this.editor.compute.call(
          'teach',
          {
            base: { url: new URL(entry.url!, document.baseURI).href, id: entry.id, name: entry.name, sha256: entry.sha256, range: entry.range },
            classes: classes.map((c) => c.name.trim()),
            // The worker takes the buffers (transfer): it gets copies, the panel keeps its photos.
            photos: photos.map((p) => ({ width: p.image.width, height: p.image.height, data: p.image.data.slice() })),
            labels,
            photoKeys: photos.map((p) => p.id),
            layer: s.layer,
            valFraction: s.valFraction,
            augment,
            head: { epochs: s.epochs, learningRate: s.learningRate, patience: s.patience },
          },
          {
            signal,
            onProgress: (p) => {
              onProgress(p);
              const e = epochFromMetrics(p.metrics);
              if (e) this.#history = [...this.#history, e];
            },
          },
        ),
      );
      if (!outcome) return false;
      // The folder's bytes go to the host once; the panel keeps only the numbers.
      this.#outcome = { ...outcome, files: [] };
      this.#outcomePhotos = photos;
      this.#outcomeLabels = labels;
      return await this.#save(outcome, s.modelName.trim() || defaultTeachSettings.modelName);
    } finally {
      this.#training = false;
    }
  }

  async #save(outcome: TeachOutcome, name: string): Promise<boolean> {
    const r = await this.editor.host.saveTrainedModel({ name, files: outcome.files });
    if (!r.ok) {
      this.editor.fail(t('teach.saveFailed', { error: r.error }));
      return false;
    }
    this.#saved = r.value;
    await this.editor.models.refresh();
    await this.editor.models.ensureLoaded(r.value.id);
    this.editor.notify(t('teach.saved', { name: r.value.name, sha: (r.value.sha256 ?? outcome.modelSha256).slice(0, 12) }));
    return true;
  }

  /** Loads the Network view's table of the active model (once per model). */
  async showNetwork(): Promise<void> {
    const url = this.editor.models.activeEntry?.url;
    if (!url) return;
    const abs = new URL(url, document.baseURI).href;
    if (this.#network?.url === abs) return;
    try {
      const rows = await this.editor.compute.call('networkTable', { url: abs });
      this.#network = { url: abs, rows };
      this.#filters = null;
      this.#selectedLayer = null;
    } catch (e) {
      this.editor.fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** Selects a layer of the table; a convolution shows its filters. */
  async selectLayer(row: NetworkRow): Promise<void> {
    const net = this.#network;
    if (!net) return;
    this.#selectedLayer = row.name;
    this.#filters = null;
    if (!/Conv2D$/.test(row.type)) return;
    try {
      const f = await this.editor.compute.call('layerFilters', { url: net.url, layer: row.name });
      if (this.#selectedLayer === row.name) this.#filters = f;
    } catch (e) {
      this.editor.fail(e instanceof Error ? e.message : String(e));
    }
  }
}
