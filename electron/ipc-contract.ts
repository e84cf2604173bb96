/**
 * The host boundary: everything the renderer may ask of the machine it runs on.
 * Implemented by the Electron preload bridge, by the browser host and by the e2e harness;
 * imported by both sides so a change here breaks every implementation at compile time.
 */

import type { Rgba } from '../renderer/worker/protocol';

/** A decoded image in display orientation, 8-bit RGBA, row-major (same shape the worker uses). */
export type RgbaImage = Rgba;

/** What the host knows about an opened file besides its pixels. */
export interface OpenedDocument {
  /** Opaque token issued by the host; the renderer never sees or sends a path. */
  docId: string;
  /** File name for titles and suggested export names (no directory). */
  name: string;
  /** Container format found by content sniffing, e.g. "png", "jpeg". */
  format: string;
  /** Pixel size of the stored file before orientation was applied. */
  storedWidth: number;
  storedHeight: number;
  /** EXIF orientation tag found (1 when absent); pixels are already upright. */
  orientation: number;
  /** The full pixels, or a reduced preview of them when `fullSize` is set. */
  image: RgbaImage;
  /** Set when `image` is a reduced preview: the full upright size, whose pixels come from `HostApi.fullImage`. */
  fullSize?: { width: number; height: number };
}

/**
 * The browser host's document endpoints (`npm run web`, electron/web-documents.ts) answer raw RGBA
 * bodies with this header: URI-encoded JSON of the document without pixels, plus their size.
 */
export const DOCUMENT_HEADER = 'X-Onirique-Document';

/** What DOCUMENT_HEADER holds. */
export type DocumentHeader = Omit<OpenedDocument, 'image'> & { width: number; height: number };

/** Result wrapper: failures carry a message fit to show the user. */
export type HostResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Image formats the exporter writes. */
export type ExportFormat = 'png' | 'jpeg' | 'webp' | 'avif' | 'tiff';

/** Export request: pixels plus how to encode them. */
export interface ExportRequest {
  image: RgbaImage;
  format: ExportFormat;
  /** 1..100, for lossy formats. */
  quality?: number;
  /** Suggested file name shown in the save dialog. */
  suggestedName: string;
  /** Key/value parameters written into the file (PNG tEXt chunks, or XMP/EXIF description). */
  metadata?: Record<string, string>;
  /** Document whose EXIF may be copied into the export. */
  sourceDocId?: string;
  /** Copy the EXIF of `sourceDocId`'s file into the export (Orientation reset to 1; not for TIFF). */
  copyExif?: boolean;
}

/** Where an export landed. */
export interface ExportResult {
  name: string;
  bytes: number;
}

/** Kinds of raw bytes `exportBytes` writes: a NumPy array, CSV text, a ready-made 16-bit greyscale PNG. */
export type ExportBytesKind = 'npy' | 'csv' | 'png16';

/** Export of bytes built in the renderer (e.g. the raw CAM as .npy); the host checks them against `kind`. */
export interface ExportBytesRequest {
  bytes: Uint8Array;
  suggestedName: string;
  kind: ExportBytesKind;
}

/** One entry of the recent-files list; the id is issued by the host. */
export interface RecentEntry {
  id: string;
  name: string;
  openedAt: string;
}

/** Persisted user preferences. */
export interface Settings {
  locale: 'auto' | 'en' | 'fr';
  backend: 'auto' | 'webgl' | 'wasm' | 'cpu';
  /** User kernels from the Filter panel, in the kernel-file format. */
  userKernels: { name: string; matrix: number[][]; divisor?: number; offset?: number }[];
  exportFormat: ExportFormat;
  exportQuality: number;
}

/** Defaults applied to missing or invalid settings keys. */
export const defaultSettings: Settings = {
  locale: 'auto',
  backend: 'auto',
  userKernels: [],
  exportFormat: 'png',
  exportQuality: 90,
};

/** A model as the host stores it. */
export interface ModelEntry {
  id: string;
  name: string;
  installed: boolean;
  /** URL the renderer's worker fetches model.json from (app scheme, http on 127.0.0.1, or indexeddb). */
  url: string | null;
  /** SHA-256 of model.json, reported in exports for reproducibility. */
  sha256: string | null;
  inputSize: number;
  /** Pixel scaling the network expects. */
  range: '-1..1' | '0..1';
  labels: string[] | null;
  /** How the worker loads it: tf.loadLayersModel or tf.loadGraphModel (absent: layers-model). */
  format?: 'layers-model' | 'graph-model';
  /** Shipped in the catalog (downloadable) or imported by the user. */
  source?: 'catalog' | 'imported';
  /** Total size of model.json and shards, for the download prompt. */
  bytes?: number;
}

/** What a recovery snapshot holds besides its pixels. */
export interface RecoveryInfo {
  name: string;
  /** Labels of the operations applied since opening, oldest first. */
  operations: string[];
  savedAt: string;
}

/** Progress of a long host operation. */
export interface HostProgress {
  done: number;
  total: number;
  label: string;
}

/** Optional behaviour passed to long host operations. */
export interface HostCallOptions {
  onProgress?: (p: HostProgress) => void;
  /** Honoured by the services; across the Electron bridge a signal cannot travel, so renderers call `cancelInstall`. */
  signal?: AbortSignal;
}

/** The host API exposed on `window.onirique`. */
export interface HostApi {
  readonly kind: 'electron' | 'web' | 'harness';
  /** Shows an open dialog; null when the user cancels. */
  openDialog(): Promise<HostResult<OpenedDocument> | null>;
  /** Opens bytes the user dropped or pasted; the name is for display only. */
  openBytes(name: string, bytes: Uint8Array): Promise<HostResult<OpenedDocument>>;
  /** The full pixels of a document opened as a preview (`fullSize` set); asked once per document. */
  fullImage(docId: string): Promise<HostResult<RgbaImage>>;
  /** Reopens a recent entry by its host-issued id. */
  openRecent(id: string): Promise<HostResult<OpenedDocument>>;
  /** The recent-files list, newest first. */
  recentList(): Promise<RecentEntry[]>;
  /** Asks where to save, then encodes and writes atomically; null when the user cancels. */
  exportImage(req: ExportRequest): Promise<HostResult<ExportResult> | null>;
  /** Asks where to save, checks the bytes match `kind`, writes them atomically; null when the user cancels. */
  exportBytes(req: ExportBytesRequest): Promise<HostResult<ExportResult> | null>;
  /** Current settings. */
  getSettings(): Promise<Settings>;
  /** Merges a patch into the settings and persists it. */
  setSettings(patch: Partial<Settings>): Promise<Settings>;
  /** Known models (catalog and imported). */
  listModels(): Promise<ModelEntry[]>;
  /** Downloads (if needed) and verifies a catalog model. */
  installModel(id: string, opts?: HostCallOptions): Promise<HostResult<ModelEntry>>;
  /** Cancels a running installModel; the partial download is discarded. */
  cancelInstall(id: string): void;
  /** Lets the user pick a tfjs model folder and imports it after validation; null when cancelled. */
  importModel(): Promise<HostResult<ModelEntry> | null>;
  /** Saves the document after an operation so a crash loses at most that operation. */
  saveRecovery(image: RgbaImage, info: Omit<RecoveryInfo, 'savedAt'>): Promise<void>;
  /** A snapshot left by a session that crashed, with its pixels; null when there is none. */
  takeRecovery(): Promise<{ info: RecoveryInfo; image: RgbaImage } | null>;
  /** Drops the snapshot (clean close, export, declined restore). */
  clearRecovery(): Promise<void>;
  /** Tells the shell whether the document has unsaved changes (title mark, close prompt). */
  setDocumentEdited(edited: boolean, title: string): void;
  /** Mirrors job progress in the taskbar; null clears it. */
  setProgress(fraction: number | null): void;
  /** Registers a handler for files the OS hands the app (second instance, open-file, menu). */
  onOpenDocument(handler: (doc: HostResult<OpenedDocument>) => void): void;
  /** Registers a handler for menu commands. */
  onMenuCommand(handler: (command: MenuCommand) => void): void;
}

/** Commands the native menu sends to the renderer. */
export type MenuCommand =
  | 'open'
  | 'export'
  | 'undo'
  | 'redo'
  | 'zoom-in'
  | 'zoom-out'
  | 'zoom-fit'
  | 'zoom-100'
  | 'help';

/** IPC channel names, one per HostApi method that crosses the boundary. */
export const IpcChannel = {
  openDialog: 'onirique:open-dialog',
  openBytes: 'onirique:open-bytes',
  openRecent: 'onirique:open-recent',
  fullImage: 'onirique:full-image',
  recentList: 'onirique:recent-list',
  exportImage: 'onirique:export-image',
  exportBytes: 'onirique:export-bytes',
  getSettings: 'onirique:get-settings',
  setSettings: 'onirique:set-settings',
  listModels: 'onirique:list-models',
  installModel: 'onirique:install-model',
  installProgress: 'onirique:install-progress',
  cancelInstall: 'onirique:cancel-install',
  importModel: 'onirique:import-model',
  saveRecovery: 'onirique:save-recovery',
  takeRecovery: 'onirique:take-recovery',
  clearRecovery: 'onirique:clear-recovery',
  setDocumentEdited: 'onirique:set-document-edited',
  setProgress: 'onirique:set-progress',
  openDocument: 'onirique:open-document',
  menuCommand: 'onirique:menu-command',
} as const;

/** Largest image the app opens, in pixels (decompression-bomb guard). */
export const MAX_PIXELS = 100_000_000;
/** Largest side the app opens (the GPU texture limit is handled by tiling, this is a sanity cap). */
export const MAX_SIDE = 32_768;
