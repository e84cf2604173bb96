/**
 * The Electron-free core of the host: opening, exporting, recent files and settings on real files.
 * Electron's IPC handlers and the e2e harness both call this; only the dialogs differ.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ExportRequest, ExportResult, HostResult, ModelEntry, OpenedDocument, RecentEntry, RecoveryInfo, RgbaImage, Settings, TrainedModelRequest } from '../host/host-contract';
import { sweepStaleTempFiles, writeFileAtomic } from './atomic-write';
import { parseExportBytesRequest } from './export-bytes';
import { encodeAnimation, parseExportAnimationRequest } from './encode-animation';
import { encodeImage, readImageParameters } from './encode';
import { decodeImage, decodePreview, readCopyableExif, UserFacingError } from './image-decode';
import { readHeaderSize, sniffFormat } from './image-header';
import { type ImportSettings, type InstallOptions, ModelStore, type ModelStoreOptions } from './model-store';
import { type CacheWatch, watchModelCache } from './model-watch';
import { RecentStore } from './recent';
import { parseRecoveryInfo, parseRecoveryTiles, RecoveryStore } from './recovery';
import { SettingsStore } from './settings';
import { parseExportRequest, parseFileName, parseRgbaImage } from './validate';

/** Largest file read from disk; anything bigger is refused before reading. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** Images above this many pixels open as a fast preview first, then their full pixels (fullImage). */
export const PREVIEW_MIN_PIXELS = 6_000_000;
/** Full decodes kept waiting for their renderer; older ones are dropped (their document was replaced). */
const MAX_PENDING_FULL = 2;

function fail<T>(e: unknown): HostResult<T> {
  const message = e instanceof UserFacingError || e instanceof Error ? e.message : String(e);
  return { ok: false, error: message };
}

/** Host operations over a user data folder. Paths come only from main (dialogs, argv, recent). */
export class HostServices {
  readonly settings: SettingsStore;
  readonly recent: RecentStore;
  readonly recovery: RecoveryStore;
  /** Model cache: catalog downloads and imported folders. */
  readonly models: ModelStore;
  /** Documents opened this session: docId → path (null for dropped bytes). */
  private docs = new Map<string, string | null>();
  /** Full decodes of documents opened as a preview, started at once and kept until asked for. */
  private pendingFull = new Map<string, Promise<HostResult<RgbaImage>>>();
  /** Handlers of onModelsChanged, and the cache watch started for the first of them. */
  private modelListeners = new Set<() => void>();
  private modelWatch: Promise<CacheWatch> | null = null;

  constructor(
    readonly userDataDir: string,
    modelOptions: ModelStoreOptions = {},
    /** Whether big images open as a preview first (false: always the full pixels at once). */
    readonly previews = true,
  ) {
    this.settings = new SettingsStore(userDataDir);
    this.recent = new RecentStore(userDataDir);
    this.recovery = new RecoveryStore(userDataDir);
    this.models = new ModelStore(userDataDir, {
      ...modelOptions,
      onChange: () => {
        modelOptions.onChange?.();
        void this.modelWatch?.then((w) => w.poke());
      },
    });
  }

  /** Creates the user data folder and removes the temp files a killed write left in it. */
  async init(): Promise<void> {
    await mkdir(this.userDataDir, { recursive: true });
    // A killed export or snapshot leaves `.x.<hex>.tmp` files (up to the photo's size): gone at the next start.
    await sweepStaleTempFiles(this.userDataDir).catch(() => undefined);
  }

  /** Opens a path main obtained from a dialog, argv, the OS or the recent list. */
  async openPath(path: string): Promise<HostResult<OpenedDocument>> {
    const name = basename(path);
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new UserFacingError(`“${name}” is not a file.`);
      if (st.size > MAX_FILE_BYTES) throw new UserFacingError(`“${name}” is ${(st.size / 2 ** 20).toFixed(0)} MiB; the limit is 512 MiB.`);
      const docId = randomUUID();
      const decoded = await this.decodeFirst(docId, name, await readFile(path));
      this.docs.set(docId, path);
      await this.recent.add(path);
      return { ok: true, value: { docId, ...decoded } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, error: `“${name}” no longer exists.` };
      return fail(e);
    }
  }

  /** Opens bytes the user dropped or pasted. */
  async openBytes(name: unknown, bytes: unknown): Promise<HostResult<OpenedDocument>> {
    try {
      const safeName = parseFileName(name);
      if (!(bytes instanceof Uint8Array)) throw new Error('Dropped data must be bytes.');
      if (bytes.byteLength > MAX_FILE_BYTES) throw new UserFacingError(`“${safeName}” is larger than 512 MiB.`);
      const docId = randomUUID();
      const decoded = await this.decodeFirst(docId, safeName, bytes);
      this.docs.set(docId, null);
      return { ok: true, value: { docId, ...decoded } };
    } catch (e) {
      return fail(e);
    }
  }

  /**
   * Big images: a preview now (shrink-on-load, a fraction of a full decode) and the bytes kept for
   * fullImage; small ones: the full pixels at once.
   */
  private async decodeFirst(docId: string, name: string, bytes: Uint8Array): Promise<Omit<OpenedDocument, 'docId'>> {
    const parameters = await readImageParameters(bytes);
    const decoded = await this.decodeOrPreview(docId, name, bytes);
    return parameters ? { ...decoded, parameters } : decoded;
  }

  private async decodeOrPreview(docId: string, name: string, bytes: Uint8Array): Promise<Omit<OpenedDocument, 'docId'>> {
    const format = sniffFormat(bytes);
    const size = format ? readHeaderSize(bytes, format) : null;
    if (!this.previews || !size || size.width * size.height < PREVIEW_MIN_PIXELS) return decodeImage(bytes, name);
    const preview = await decodePreview(bytes, name);
    // Decoding starts now, while the preview travels and is drawn; only the latest opens are kept.
    this.pendingFull.set(
      docId,
      decodeImage(bytes, name).then((d) => ({ ok: true as const, value: d.image }), (e: unknown) => fail<RgbaImage>(e)),
    );
    for (const id of [...this.pendingFull.keys()].slice(0, -MAX_PENDING_FULL)) this.pendingFull.delete(id);
    return preview;
  }

  /** The full pixels of a document opened as a preview; asked once (the kept bytes are released). */
  async fullImage(docId: unknown): Promise<HostResult<RgbaImage>> {
    const pending = typeof docId === 'string' ? this.pendingFull.get(docId) : undefined;
    if (!pending) return { ok: false, error: 'That document has no full image waiting (it was already loaded, replaced by newer opens, or never opened).' };
    this.pendingFull.delete(docId as string);
    return pending;
  }

  /** Reopens a recent entry by id. */
  async openRecent(id: unknown): Promise<HostResult<OpenedDocument>> {
    const path = typeof id === 'string' ? await this.recent.resolve(id) : null;
    if (!path) return { ok: false, error: 'That recent file is not in the list any more.' };
    return this.openPath(path);
  }

  /** The recent list for the renderer. */
  recentList(): Promise<RecentEntry[]> {
    return this.recent.list();
  }

  /** Validates, encodes and atomically writes an export to a path main obtained from a save dialog. */
  async exportTo(path: string, raw: unknown): Promise<HostResult<ExportResult>> {
    try {
      const written = await writeFileAtomic(path, await this.encodeRequest(raw));
      return { ok: true, value: { name: basename(path), bytes: written } };
    } catch (e) {
      return fail(e);
    }
  }

  /** Validates and encodes an export for the browser host's download: the same encoder, metadata and EXIF copy as exportTo. */
  async encodeExport(raw: unknown): Promise<HostResult<{ name: string; bytes: Buffer }>> {
    try {
      const bytes = await this.encodeRequest(raw);
      return { ok: true, value: { name: parseExportRequest(raw).suggestedName, bytes } };
    } catch (e) {
      return fail(e);
    }
  }

  private async encodeRequest(raw: unknown): Promise<Buffer> {
    const req: ExportRequest = parseExportRequest(raw);
    let exif: Uint8Array | null = null;
    if (req.copyExif && req.sourceDocId !== undefined) {
      // Only a document this session opened can lend its EXIF; dropped bytes have no file to read it from.
      if (!this.docs.has(req.sourceDocId)) throw new UserFacingError('The source document of this export is not open any more.');
      const src = this.docs.get(req.sourceDocId);
      exif = src ? await readCopyableExif(await readFile(src)) : null;
    }
    return encodeImage(req.image, { format: req.format, quality: req.quality ?? 90, metadata: req.metadata ?? {}, exif });
  }

  /** Validates bytes built in the renderer (.npy, CSV, 16-bit PNG) and writes them atomically to a dialog's path. */
  async exportBytesTo(path: string, raw: unknown): Promise<HostResult<ExportResult>> {
    try {
      const req = parseExportBytesRequest(raw);
      const written = await writeFileAtomic(path, req.bytes);
      return { ok: true, value: { name: basename(path), bytes: written } };
    } catch (e) {
      return fail(e);
    }
  }

  /** Validates frames, encodes them as an animation (the CLI's encoder) and writes it atomically to a dialog's path. */
  async exportAnimationTo(path: string, raw: unknown): Promise<HostResult<ExportResult>> {
    try {
      const req = parseExportAnimationRequest(raw);
      const written = await writeFileAtomic(path, await encodeAnimation(req.frames, req.format, req.delayMs, req.metadata ?? {}));
      return { ok: true, value: { name: basename(path), bytes: written } };
    } catch (e) {
      return fail(e);
    }
  }

  /** Validates and encodes an animation for the browser host's download. */
  async encodeAnimationExport(raw: unknown): Promise<HostResult<{ name: string; bytes: Buffer }>> {
    try {
      const req = parseExportAnimationRequest(raw);
      return { ok: true, value: { name: req.suggestedName, bytes: await encodeAnimation(req.frames, req.format, req.delayMs, req.metadata ?? {}) } };
    } catch (e) {
      return fail(e);
    }
  }

  /** Path of a document opened from disk, for "save next to the original" defaults; null otherwise. */
  documentPath(docId: string): string | null {
    return this.docs.get(docId) ?? null;
  }

  /** Saves a whole-image recovery snapshot after validating its pixels; resolves to its id. */
  saveRecovery(image: unknown, info: unknown): Promise<string> {
    return this.recovery.save(parseRgbaImage(image), parseRecoveryInfo(info));
  }

  /** Saves a snapshot as validated tiles over the stored one; null when `update` names another base. */
  saveRecoveryTiles(update: unknown, info: unknown): Promise<string | null> {
    return this.recovery.saveTiles(parseRecoveryTiles(update), parseRecoveryInfo(info));
  }

  /** The crashed session's snapshot, if any. */
  async takeRecovery(): Promise<{ info: RecoveryInfo; image: RgbaImage } | null> {
    const info = await this.recovery.peek();
    const image = info ? await this.recovery.load() : null;
    return info && image ? { info, image } : null;
  }

  /** Drops the snapshot. */
  clearRecovery(): Promise<void> {
    return this.recovery.clear();
  }

  /** Current settings. */
  getSettings(): Promise<Settings> {
    return this.settings.get();
  }

  /** Validated settings update. */
  async setSettings(patch: unknown): Promise<Settings> {
    return this.settings.set(patch);
  }

  /** Catalog and imported models with their install state. */
  listModels(): Promise<ModelEntry[]> {
    return this.models.list();
  }

  /** Downloads and verifies a catalog model (no-op when already installed); cancel via opts.signal. */
  async installModel(id: unknown, opts: InstallOptions = {}): Promise<HostResult<ModelEntry>> {
    if (typeof id !== 'string') return { ok: false, error: 'Model id must be text.' };
    try {
      return { ok: true, value: await this.models.install(id, opts) };
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') return { ok: false, error: 'Download cancelled; nothing was installed.' };
      const r = fail<ModelEntry>(e);
      return r.ok ? r : { ok: false, error: r.error.charAt(0).toUpperCase() + r.error.slice(1) };
    }
  }

  /**
   * Calls `handler` whenever the installed models change: installs, imports and removals by this
   * process or any other on the same user data folder (the CLI). Returns the unsubscribe function.
   */
  onModelsChanged(handler: () => void): () => void {
    this.modelListeners.add(handler);
    this.modelWatch ??= watchModelCache(this.models.root, () => {
      for (const l of [...this.modelListeners]) l();
    });
    return () => {
      this.modelListeners.delete(handler);
      if (this.modelListeners.size > 0 || !this.modelWatch) return;
      void this.modelWatch.then((w) => w.close());
      this.modelWatch = null;
    };
  }

  /** Saves a trained model's files (from the renderer: checked here) into the model cache, after the import checks. */
  async saveTrainedModel(raw: unknown): Promise<HostResult<ModelEntry>> {
    const req = parseTrainedModelRequest(raw);
    if (!req.ok) return req;
    try {
      return { ok: true, value: await this.models.importFiles(req.value.files, { name: req.value.name }) };
    } catch (e) {
      const r = fail<ModelEntry>(e);
      return r.ok ? r : { ok: false, error: `Cannot save the trained model: ${r.error}` };
    }
  }

  /** Imports a model folder main obtained from a dialog (or the harness), after validation. */
  async importModelFrom(dir: string, settings: ImportSettings = {}): Promise<HostResult<ModelEntry>> {
    try {
      return { ok: true, value: await this.models.importFrom(dir, settings) };
    } catch (e) {
      const r = fail<ModelEntry>(e);
      return r.ok ? r : { ok: false, error: `Cannot import this model: ${r.error}` };
    }
  }
}

/** Largest trained model accepted over the boundary (a base network plus its head). */
export const MAX_TRAINED_MODEL_BYTES = 256 * 1024 * 1024;

/** Checks a renderer's saveTrainedModel argument: a name and a list of named byte arrays, within the size cap. */
export function parseTrainedModelRequest(raw: unknown): HostResult<TrainedModelRequest> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, error: 'The trained model must be an object.' };
  const name: unknown = Reflect.get(raw, 'name');
  const list: unknown = Reflect.get(raw, 'files');
  if (typeof name !== 'string' || !name.trim() || name.length > 200) return { ok: false, error: 'The trained model needs a name of 1 to 200 characters.' };
  if (!Array.isArray(list) || list.length === 0 || list.length > 200) return { ok: false, error: 'The trained model must list its files.' };
  const files: TrainedModelRequest['files'] = [];
  let total = 0;
  for (const f of list) {
    const fileName: unknown = typeof f === 'object' && f !== null ? Reflect.get(f, 'name') : undefined;
    const bytes: unknown = typeof f === 'object' && f !== null ? Reflect.get(f, 'bytes') : undefined;
    if (typeof fileName !== 'string' || !(bytes instanceof Uint8Array)) return { ok: false, error: 'Each file of the trained model needs a name and a byte array.' };
    total += bytes.byteLength;
    if (total > MAX_TRAINED_MODEL_BYTES) return { ok: false, error: `The trained model is larger than ${MAX_TRAINED_MODEL_BYTES / 1024 / 1024} MiB.` };
    files.push({ name: fileName, bytes });
  }
  return { ok: true, value: { name: name.trim(), files } };
}
