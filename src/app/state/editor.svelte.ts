/** Application state: the open document, its history, the running job and the view. */
import type { HostApi, OpenedDocument, HostResult, RecoveryInfo } from '../../host/host-contract';
import { CancelledError, type ComputeClient } from '../../compute/compute-client';
import type { Rect, RgbaImage } from '../../core/image';
import type { JobProgress } from '../../core/job';
import type { BackendInfo } from '../../compute/contract';
import { History, pixelEntry, type HistoryEntry } from './history';
import { openOpfsStore } from './history-store';
import { RecoverySnapshots } from './recovery-sync';
import { StepImages } from './step-images';
import { ModelState } from '../../models/ui/models.svelte';
import { t } from '../i18n/i18n.svelte';
import '../i18n/app-messages';

/** An open image and what it was when opened. */
export class DocumentState {
  image: RgbaImage = $state.raw({ width: 0, height: 0, data: new Uint8ClampedArray() });
  readonly original: RgbaImage;
  constructor(readonly docId: string, readonly name: string, readonly format: string, image: RgbaImage) {
    this.image = image;
    // Document pixels are never written in place (every change makes a new image), so sharing is safe.
    this.original = image;
  }
}

/** A reduced preview shown, scaled to the full size, while the full pixels of an opening photo load. */
export interface OpeningPreview {
  name: string;
  image: RgbaImage;
  /** The full image's size, which the preview is drawn at. */
  width: number;
  height: number;
}

/** A picture drawn above the document (preview, Grad-CAM overlay, brush mask), in document pixels. */
export interface ViewLayer {
  image: RgbaImage;
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

/** A brush callback in document pixels. */
export type PaintHandler = (x: number, y: number, phase: 'start' | 'move' | 'end', shift?: boolean) => void;

/** A copy of pixels safe to transfer to the worker (transfer detaches the sender's buffer). */
export function transferCopy(img: RgbaImage): RgbaImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** The editor: one document at a time, every change an undoable action. */
export class Editor {
  // State is private: other modules read it through the getters and change it only through the
  // editor's methods (the private setters keep the editor's own code as it was).
  #doc: DocumentState | null = $state.raw(null);
  /** The open document, or null. */
  get doc(): DocumentState | null {
    return this.#doc;
  }
  private set doc(v: DocumentState | null) {
    this.#doc = v;
  }
  #revision = $state(0);
  /** Bumped on every history change so derived UI (undo buttons, title) refreshes. */
  get revision(): number {
    return this.#revision;
  }
  private set revision(v: number) {
    this.#revision = v;
  }
  /** History top when the document was last saved (null: as opened); a sentinel marks a recovered, never-saved document. */
  private savedTop: object | null = $state.raw(null);
  #job: Job | null = $state.raw(null);
  /** The long job in flight, or null. */
  get job(): Job | null {
    return this.#job;
  }
  private set job(v: Job | null) {
    this.#job = v;
  }
  /** The latest undo or redo, which may still be reading its step back from disk. */
  private historyInFlight: Promise<unknown> = Promise.resolve();
  #error: string | null = $state(null);
  /** The error banner's text, or null. */
  get error(): string | null {
    return this.#error;
  }
  private set error(v: string | null) {
    this.#error = v;
  }
  #notice: string | null = $state(null);
  /** The notice banner's text, or null. */
  get notice(): string | null {
    return this.#notice;
  }
  private set notice(v: string | null) {
    this.#notice = v;
  }
  #backend: BackendInfo | null = $state.raw(null);
  /** The compute backend in use, once the worker has started. */
  get backend(): BackendInfo | null {
    return this.#backend;
  }
  #preview: OpeningPreview | null = $state.raw(null);
  /** The photo being opened, shown while its full pixels load; the document stays the previous one until they arrive. */
  get preview(): OpeningPreview | null {
    return this.#preview;
  }
  private set preview(v: OpeningPreview | null) {
    this.#preview = v;
  }
  /** Counts opens, so a slow full decode overtaken by a newer open is dropped. */
  private opening = 0;
  #layers: Record<string, ViewLayer> = $state.raw({});
  /** Layers drawn above the document by panels, by name (e.g. 'filter-preview', 'gradcam', 'dream-mask'). */
  get layers(): Record<string, ViewLayer> {
    return this.#layers;
  }
  private set layers(v: Record<string, ViewLayer>) {
    this.#layers = v;
  }
  #paintHandler: PaintHandler | null = $state.raw(null);
  /** Brush handler of the panel that owns painting (Dream), or null; the canvas calls it in document pixels. */
  get paintHandler(): PaintHandler | null {
    return this.#paintHandler;
  }
  readonly history = new History<DocumentState>();
  /** Models for the Explain and Dream panels. */
  readonly models: ModelState;
  /** Crash-recovery snapshots: written once edits pause, as the tiles changed since the previous one. */
  private readonly snapshots: RecoverySnapshots;
  /** Pixels of the steps next to the current one (before/after against the previous step). */
  private readonly stepImages = new StepImages();

  constructor(readonly host: HostApi, readonly compute: ComputeClient) {
    this.models = new ModelState(host, compute);
    this.snapshots = new RecoverySnapshots(host);
    this.history.onApply = (entry) => this.snapshots.touch(entry.changed);
    // A page going away (window closed, reload) writes the pending snapshot instead of losing the pause's edits.
    if (typeof window !== 'undefined') window.addEventListener('pagehide', () => void this.snapshots.flush());
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
        new Promise<HostResult<RgbaImage>>((ok, fail) => {
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

  private install(d: Omit<OpenedDocument, 'image'>, image: RgbaImage): void {
    this.history.clear();
    this.layers = {};
    this.doc = new DocumentState(d.docId, d.name, d.format, image);
    this.stepImages.clear();
    this.stepImages.note(0, image, true);
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

  /** Records an already-computed change as one undo step; `within`: the rectangle the change is known to stay in. */
  commit(label: string, after: RgbaImage, within?: Rect): void {
    const doc = this.doc;
    if (!doc) return;
    const entry = pixelEntry<DocumentState>(label, doc.image, after, within);
    doc.image = after;
    this.record(entry);
  }

  /** Records any entry whose change is already applied. */
  record(entry: HistoryEntry<DocumentState>): void {
    this.history.push(entry);
    if (this.doc) this.stepImages.note(this.history.labels.length, this.doc.image, true);
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
      this.stepImages.note(this.history.labels.length, doc.image, false);
      this.revision++;
      this.syncTitle();
    }
  }

  /** Every named step, oldest first (undone ones after the current), and how many are applied (0: as opened). */
  get steps(): { labels: string[]; current: number } {
    // Both are read so the list refreshes on each change and on a new document (whose revision may not move).
    void this.revision;
    void this.doc;
    const done = this.history.labels;
    return { labels: [...done, ...this.history.redoLabels], current: done.length };
  }

  /** The pixels before the current step, while still kept (null at the start or once forgotten). */
  get previousImage(): RgbaImage | null {
    const { current } = this.steps;
    return current > 0 ? this.stepImages.at(current - 1) : null;
  }

  /** Undoes or redoes until `step` steps are applied (the History panel's click); stops early on a failure or a job. */
  async goTo(step: number): Promise<void> {
    for (let guard = 0; guard < 10_000; guard++) {
      const { current } = this.steps;
      if (current === step || this.job) return;
      const before = this.revision;
      await this.historyStep(current > step ? 'undo' : 'redo');
      if (this.revision === before) return;
    }
  }

  /** Shows a notice (replacing the previous one). */
  notify(message: string): void {
    this.notice = message;
  }

  /** Shows an error banner. */
  fail(message: string): void {
    this.error = message;
  }

  /** Closes the notice banner. */
  dismissNotice(): void {
    this.notice = null;
  }

  /** Closes the error banner. */
  dismissError(): void {
    this.error = null;
  }

  /** Records the compute backend the worker started on (for the status bar). */
  setBackend(info: BackendInfo): void {
    this.#backend = info;
  }

  /** Gives the canvas's brush to a panel (or, with null, takes it back). */
  setPaintHandler(handler: PaintHandler | null): void {
    this.#paintHandler = handler;
  }

  /** Cancels the running job, if any (its own Cancel). */
  cancelJob(): void {
    this.job?.cancel();
  }

  /** Marks the current state as saved (after an export of the whole document). */
  markSaved(): void {
    this.savedTop = this.history.top;
    this.syncTitle();
  }

  private syncTitle(): void {
    if (!this.doc) return;
    this.host.setDocumentEdited(this.dirty, this.doc.name);
    // A snapshot follows once edits pause (not one per edit), so a crash loses at most that pause.
    // It reads the pixels when written: document images are never changed in place, so no copy.
    if (this.dirty) this.snapshots.schedule(() => (this.doc && this.dirty ? { image: this.doc.image, info: { name: this.doc.name, operations: this.history.labels } } : null));
    else void this.snapshots.clear();
  }

  /** Opens the snapshot a crashed session left (as an unsaved document). */
  restoreRecovery(found: { info: RecoveryInfo; image: RgbaImage }): void {
    this.opening++;
    this.preview = null;
    this.history.clear();
    this.layers = {};
    this.doc = new DocumentState('recovered', found.info.name, 'png', found.image);
    this.stepImages.clear();
    this.stepImages.note(0, found.image, true);
    this.revision = 1;
    this.savedTop = {};
    // The host still holds the restored snapshot, but under an id this session never got: the next one sends the whole image.
    this.snapshots.reset();
    this.notice = t('app.recovered', { name: found.info.name, count: found.info.operations.length });
    this.host.setDocumentEdited(true, found.info.name);
  }

  /** Runs a cancellable job with progress; returns null when cancelled or failed (the document is untouched). */
  async runJob<T>(label: string, work: (signal: AbortSignal, onProgress: (p: JobProgress) => void) => Promise<T>): Promise<T | null> {
    const controller = new AbortController();
    const startedAt = performance.now();
    this.job = { label, fraction: 0, startedAt, etaMs: null, cancel: () => controller.abort() };
    this.error = null;
    // An undo still reading its step from disk must land before the job reads the pixels.
    await this.historyInFlight;
    const onProgress = (p: JobProgress) => {
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
