/** Application state: the open document, its history, the running job and the view. */
import type { HostApi, OpenedDocument, HostResult, RecoveryInfo } from '../../electron/ipc-contract';
import { CancelledError, type ComputeClient } from '../compute-client';
import type { BackendInfo, ComputeProgress, Rgba } from '../worker/protocol';
import { History, pixelEntry, type HistoryEntry } from './history';
import { openOpfsStore } from './history-store';
import { ModelState } from './models.svelte';
import { t } from '../i18n/i18n.svelte';
import '../i18n/messages-app';

/** An open image and what it was when opened. */
export class DocumentState {
  image: Rgba = $state.raw({ width: 0, height: 0, data: new Uint8ClampedArray() });
  readonly original: Rgba;
  constructor(readonly docId: string, readonly name: string, readonly format: string, image: Rgba) {
    this.image = image;
    // Document pixels are never written in place (every change makes a new image), so sharing is safe.
    this.original = image;
  }
}

/** A reduced preview shown, scaled to the full size, while the full pixels of an opening photo load. */
export interface OpeningPreview {
  name: string;
  image: Rgba;
  /** The full image's size, which the preview is drawn at. */
  width: number;
  height: number;
}

/** A picture drawn above the document (preview, Grad-CAM overlay, brush mask), in document pixels. */
export interface ViewLayer {
  image: Rgba;
  /** Where the layer's top-left lands on the document. */
  x: number;
  y: number;
  /** Drawn size in document pixels (defaults to the layer image's size: scaled layers such as a CAM map use the document size). */
  w?: number;
  h?: number;
  opacity: number;
  /** Stacking order: larger draws later. */
  z: number;
}

/** A long job in flight, shown in the status bar with Cancel. */
export interface Job {
  label: string;
  fraction: number;
  startedAt: number;
  etaMs: number | null;
  cancel: () => void;
}

/** A copy of pixels safe to transfer to the worker (transfer detaches the sender's buffer). */
export function transferCopy(img: Rgba): Rgba {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** The editor: one document at a time, every change an undoable action. */
export class Editor {
  doc: DocumentState | null = $state.raw(null);
  /** Bumped on every history change so derived UI (undo buttons, title) refreshes. */
  revision = $state(0);
  /** History top when the document was last saved (null: as opened); a sentinel marks a recovered, never-saved document. */
  private savedTop: object | null = $state.raw(null);
  job: Job | null = $state.raw(null);
  /** The latest undo or redo, which may still be reading its step back from disk. */
  private historyInFlight: Promise<unknown> = Promise.resolve();
  error: string | null = $state(null);
  notice: string | null = $state(null);
  backend: BackendInfo | null = $state.raw(null);
  /** The photo being opened, shown while its full pixels load; the document stays the previous one until they arrive. */
  preview: OpeningPreview | null = $state.raw(null);
  /** Counts opens, so a slow full decode overtaken by a newer open is dropped. */
  private opening = 0;
  /** Layers drawn above the document by panels, by name (e.g. 'filter-preview', 'gradcam', 'dream-mask'). */
  layers: Record<string, ViewLayer> = $state.raw({});
  /** Brush handler of the panel that owns painting (Dream), or null; the canvas calls it in document pixels. */
  paintHandler: ((x: number, y: number, phase: 'start' | 'move' | 'end') => void) | null = $state.raw(null);
  readonly history = new History<DocumentState>();
  /** Models for the Explain and Dream panels. */
  readonly models: ModelState;

  constructor(readonly host: HostApi, readonly compute: ComputeClient) {
    this.models = new ModelState(host, compute);
    // Steps beyond a small in-memory budget go to disk where the origin has a private file system.
    void openOpfsStore().then((store) => store && this.history.useStore(store));
  }

  /** True when the document has changes not exported since opening. */
  get dirty(): boolean {
    // Undoing back to the saved state makes the document clean again.
    void this.revision;
    return this.doc !== null && this.history.top !== this.savedTop;
  }

  /** Replaces the document with an opened one; a failed open leaves the current one untouched. */
  adopt(result: HostResult<OpenedDocument> | null): boolean {
    if (!result) return false;
    if (!result.ok) {
      this.error = result.error;
      return false;
    }
    const d = result.value;
    this.opening++;
    this.preview = null;
    if (d.fullSize) {
      void this.loadFull(d, d.fullSize);
      return true;
    }
    this.install(d, d.image);
    return true;
  }

  /**
   * Shows the preview at once and installs the document when its full pixels arrive; until then
   * the job (with Cancel) keeps every operation off, and a failure keeps the previous document.
   */
  private async loadFull(d: OpenedDocument, size: { width: number; height: number }): Promise<void> {
    const ticket = this.opening;
    this.preview = { name: d.name, image: d.image, ...size };
    const full = await this.runJob(
      t('app.loadingFull'),
      (signal) =>
        new Promise<HostResult<Rgba>>((ok, fail) => {
          // The host's decode cannot be interrupted; Cancel just stops waiting for it.
          signal.addEventListener('abort', () => fail(new CancelledError()), { once: true });
          this.host.fullImage(d.docId).then(ok, fail);
        }),
    );
    if (ticket !== this.opening) return;
    this.preview = null;
    if (!full) return;
    if (!full.ok || full.value.width !== size.width || full.value.height !== size.height) {
      this.error = t('app.fullFailed', { name: d.name, error: full.ok ? 'its size changed while loading.' : full.error });
      return;
    }
    this.install(d, full.value);
  }

  private install(d: Omit<OpenedDocument, 'image'>, image: Rgba): void {
    this.history.clear();
    this.layers = {};
    this.doc = new DocumentState(d.docId, d.name, d.format, image);
    this.revision = 0;
    this.savedTop = null;
    this.error = null;
    this.syncTitle();
  }

  /** Shows, replaces or (with null) removes a named layer above the document. */
  setLayer(name: string, layer: ViewLayer | null): void {
    const next = { ...this.layers };
    if (layer) next[name] = layer;
    else delete next[name];
    this.layers = next;
  }

  /** Records an already-computed change as one undo step. */
  commit(label: string, after: Rgba): void {
    const doc = this.doc;
    if (!doc) return;
    const entry = pixelEntry<DocumentState>(label, doc.image, after);
    doc.image = after;
    this.record(entry);
  }

  /** Records any entry whose change is already applied. */
  record(entry: HistoryEntry<DocumentState>): void {
    this.history.push(entry);
    this.revision++;
    this.syncTitle();
  }

  /** Undoes the last action (a step kept on disk is read back first); ignored while a job runs. */
  undo(): Promise<void> {
    return this.historyStep('undo');
  }

  /** Redoes the last undone action; ignored while a job runs. */
  redo(): Promise<void> {
    return this.historyStep('redo');
  }

  private async historyStep(way: 'undo' | 'redo'): Promise<void> {
    const doc = this.doc;
    // A running job computes from the current pixels: undoing under it would commit its result on the wrong base.
    if (this.job || !doc) return;
    const run = this.history[way](doc).catch((e: unknown) => {
      this.error = t('app.failed', { label: t(way === 'undo' ? 'app.undo' : 'app.redo'), error: e instanceof Error ? e.message : String(e) });
      return null;
    });
    this.historyInFlight = run;
    if ((await run) !== null && doc === this.doc) {
      this.revision++;
      this.syncTitle();
    }
  }

  /** Marks the current state as saved (after an export of the whole document). */
  markSaved(): void {
    this.savedTop = this.history.top;
    this.syncTitle();
  }

  private syncTitle(): void {
    if (!this.doc) return;
    this.host.setDocumentEdited(this.dirty, this.doc.name);
    // Snapshot after every change so a crash loses at most the operation in flight.
    if (this.dirty) {
      const doc = this.doc;
      void this.host
        // Hosts serialise the pixels during the call (IPC clone, binding encode) or ignore them (browser), so no copy.
        .saveRecovery(doc.image, { name: doc.name, operations: this.history.labels })
        .catch(() => undefined);
    } else void this.host.clearRecovery().catch(() => undefined);
  }

  /** Opens the snapshot a crashed session left (as an unsaved document). */
  restoreRecovery(found: { info: RecoveryInfo; image: Rgba }): void {
    this.opening++;
    this.preview = null;
    this.history.clear();
    this.layers = {};
    this.doc = new DocumentState('recovered', found.info.name, 'png', found.image);
    this.revision = 1;
    this.savedTop = {};
    this.notice = t('app.recovered', { name: found.info.name, count: found.info.operations.length });
    this.host.setDocumentEdited(true, found.info.name);
  }

  /** Runs a cancellable job with progress; returns null when cancelled or failed (the document is untouched). */
  async runJob<T>(label: string, work: (signal: AbortSignal, onProgress: (p: ComputeProgress) => void) => Promise<T>): Promise<T | null> {
    const controller = new AbortController();
    const startedAt = performance.now();
    this.job = { label, fraction: 0, startedAt, etaMs: null, cancel: () => controller.abort() };
    this.error = null;
    // An undo still reading its step from disk must land before the job reads the pixels.
    await this.historyInFlight;
    const onProgress = (p: ComputeProgress) => {
      const elapsed = performance.now() - startedAt;
      const etaMs = p.fraction > 0.05 ? (elapsed / p.fraction) * (1 - p.fraction) : null;
      this.job = { label: `${label}: ${p.label}`, fraction: p.fraction, startedAt, etaMs, cancel: () => controller.abort() };
      this.host.setProgress(p.fraction);
    };
    try {
      return await work(controller.signal, onProgress);
    } catch (e) {
      if (e instanceof CancelledError || controller.signal.aborted) this.notice = t('app.cancelled', { label });
      else this.error = t('app.failed', { label, error: e instanceof Error ? e.message : String(e) });
      return null;
    } finally {
      this.job = null;
      this.host.setProgress(null);
    }
  }
}
