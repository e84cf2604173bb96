/**
 * The Electron-free core of the host: opening, exporting, recent files and settings on real files.
 * Electron's IPC handlers and the e2e harness both call this; only the dialogs differ.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ExportRequest, ExportResult, HostResult, ModelEntry, OpenedDocument, RecentEntry, RecoveryInfo, RgbaImage, Settings } from '../ipc-contract';
import { writeFileAtomic } from './atomic-write';
import { parseExportBytesRequest } from './export-bytes';
import { encodeImage } from './encode';
import { decodeImage, decodePreview, readCopyableExif, UserFacingError } from './image-decode';
import { readHeaderSize, sniffFormat } from './image-header';
import { type ImportSettings, type InstallOptions, ModelStore, type ModelStoreOptions } from './model-store';
import { RecentStore } from './recent';
import { RecoveryStore } from './recovery';
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

  constructor(
    readonly userDataDir: string,
    modelOptions: ModelStoreOptions = {},
    /** Whether big images open as a preview first (false: always the full pixels at once). */
    readonly previews = true,
  ) {
    this.settings = new SettingsStore(userDataDir);
    this.recent = new RecentStore(userDataDir);
    this.recovery = new RecoveryStore(userDataDir);
    this.models = new ModelStore(userDataDir, modelOptions);
  }

  /** Creates the user data folder. */
  async init(): Promise<void> {
    await mkdir(this.userDataDir, { recursive: true });
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
      const req: ExportRequest = parseExportRequest(raw);
      let exif: Uint8Array | null = null;
      if (req.copyExif && req.sourceDocId !== undefined) {
        // Only a document this session opened can lend its EXIF; dropped bytes have no file to read it from.
        if (!this.docs.has(req.sourceDocId)) throw new UserFacingError('The source document of this export is not open any more.');
        const src = this.docs.get(req.sourceDocId);
        exif = src ? await readCopyableExif(await readFile(src)) : null;
      }
      const bytes = await encodeImage(req.image, { format: req.format, quality: req.quality ?? 90, metadata: req.metadata ?? {}, exif });
      const written = await writeFileAtomic(path, bytes);
      return { ok: true, value: { name: basename(path), bytes: written } };
    } catch (e) {
      return fail(e);
    }
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

  /** Path of a document opened from disk, for "save next to the original" defaults; null otherwise. */
  documentPath(docId: string): string | null {
    return this.docs.get(docId) ?? null;
  }

  /** Saves a recovery snapshot after validating its pixels. */
  async saveRecovery(image: unknown, info: unknown): Promise<void> {
    const img = parseRgbaImage(image);
    const i = info as { name?: unknown; operations?: unknown } | null;
    const name = typeof i?.name === 'string' ? i.name.slice(0, 255) : 'Untitled';
    const operations = Array.isArray(i?.operations) ? i.operations.filter((o): o is string => typeof o === 'string').slice(-200) : [];
    await this.recovery.save(img, { name, operations });
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
