/** Application state: the open document, its history, the running job and the view. */
import type { HostApi, OpenedDocument, HostResult, RecoveryInfo } from '../../electron/ipc-contract';
import { CancelledError, type ComputeClient } from '../compute-client';
import type { BackendInfo, ComputeProgress, Rgba } from '../worker/protocol';
import { History, pixelEntry, type HistoryEntry } from './history';
import { ModelState } from './models.svelte';
import { t } from '../i18n/i18n.svelte';
import '../i18n/messages-app';

/** An open image and what it was when opened. */
export class DocumentState {
  image: Rgba = $state.raw({ width: 0, height: 0, data: new Uint8ClampedArray() });
  readonly original: Rgba;
  constructor(readonly docId: string, readonly name: string, readonly format: string, image: Rgba) {
    this.image = image;
    this.original = { ...image, data: image.data.slice() };
  }
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
  error: string | null = $state(null);
  notice: string | null = $state(null);
  backend: BackendInfo | null = $state.raw(null);
  /** Layers drawn above the document by panels, by name (e.g. 'filter-preview', 'gradcam', 'dream-mask'). */
  layers: Record<string, ViewLayer> = $state.raw({});
  /** Brush handler of the panel that owns painting (Dream), or null; the canvas calls it in document pixels. */
  paintHandler: ((x: number, y: number, phase: 'start' | 'move' | 'end') => void) | null = $state.raw(null);
  readonly history = new History<DocumentState>();
  /** Models for the Explain and Dream panels. */
  readonly models: ModelState;

  constructor(readonly host: HostApi, readonly compute: ComputeClient) {
    this.models = new ModelState(host, compute);
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
    this.history.clear();
    this.layers = {};
    this.doc = new DocumentState(d.docId, d.name, d.format, d.image);
    this.revision = 0;
    this.savedTop = null;
    this.error = null;
    this.syncTitle();
    return true;
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

  /** Undoes the last action. */
  undo(): void {
    if (this.doc && this.history.undo(this.doc) !== null) {
      this.revision++;
      this.syncTitle();
    }
  }

  /** Redoes the last undone action. */
  redo(): void {
    if (this.doc && this.history.redo(this.doc) !== null) {
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
        .saveRecovery({ ...doc.image, data: doc.image.data.slice() }, { name: doc.name, operations: this.history.labels })
        .catch(() => undefined);
    } else void this.host.clearRecovery().catch(() => undefined);
  }

  /** Opens the snapshot a crashed session left (as an unsaved document). */
  restoreRecovery(found: { info: RecoveryInfo; image: Rgba }): void {
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
