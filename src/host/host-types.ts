/** The values that cross the host boundary: documents, exports, settings, models, recovery snapshots. */
import type { Rect, RgbaImage as Rgba } from '../core/image';
import type { ActionId } from '../app/actions/action-defs';

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
  /** Parameters an Onirique export embedded (PNG text or XMP), for "Restore these settings"; absent when none. */
  parameters?: Record<string, string>;
}

/**
 * The browser host's document endpoints (`npm run web`, src/web-server/web-documents.ts) answer raw RGBA
 * bodies with this header: URI-encoded JSON of the document without pixels, plus their size.
 */
export const DOCUMENT_HEADER = 'X-Onirique-Document';

/** What DOCUMENT_HEADER holds. */
export type DocumentHeader = Omit<OpenedDocument, 'image'> & { width: number; height: number };

/**
 * `POST api/export` (exportImage's route) sends the raw RGBA pixels as its body and the rest of the
 * request, URI-encoded JSON of ExportHeader, in this header; the answer is the encoded file.
 */
export const EXPORT_HEADER = 'X-Onirique-Export';

/** What EXPORT_HEADER holds. */
export type ExportHeader = Omit<ExportRequest, 'image'> & { width: number; height: number };

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

/** Animation formats exportAnimation writes. */
export type AnimationFormat = 'webp' | 'gif';

/** An animation to encode on the host (sharp): equal-sized frames in order, looping forever. */
export interface ExportAnimationRequest {
  frames: RgbaImage[];
  /** Milliseconds each frame shows. */
  delayMs: number;
  format: AnimationFormat;
  /** Suggested file name shown in the save dialog. */
  suggestedName: string;
  /** Key/value parameters written into the file's XMP (WebP only: GIF has none). */
  metadata?: Record<string, string>;
}

/**
 * `POST api/export/animation` (exportAnimation's route) sends the frames' raw RGBA, one after the
 * other, as its body and the rest of the request, URI-encoded JSON of ExportAnimationHeader, in this header.
 */
export const EXPORT_ANIMATION_HEADER = 'X-Onirique-Export-Animation';

/** What EXPORT_ANIMATION_HEADER holds. */
export type ExportAnimationHeader = Omit<ExportAnimationRequest, 'frames'> & { width: number; height: number; count: number };

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
  backend: 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
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
  /** Where the class names came from (`catalog`, a file of the imported folder, `--labels <file>`), for the picker. */
  labelsSource?: string | null;
  /** How the worker loads it: tf.loadLayersModel or tf.loadGraphModel (absent: layers-model). */
  format?: 'layers-model' | 'graph-model';
  /** Shipped in the catalog (downloadable) or imported by the user. */
  source?: 'catalog' | 'imported';
  /** Total size of model.json and shards, for the download prompt. */
  bytes?: number;
}

/** A trained model on its way to the model manager: a display name and the model folder's files (model.json, shards, labels.json, onirique-model.json). */
export interface TrainedModelRequest {
  name: string;
  files: { name: string; bytes: Uint8Array }[];
}

/** What a recovery snapshot holds besides its pixels. */
export interface RecoveryInfo {
  name: string;
  /** Labels of the operations applied since opening, oldest first. */
  operations: string[];
  savedAt: string;
}

/** One changed tile of a recovery snapshot with its current pixels (w * h * 4 bytes, row-major). */
export interface RecoveryTile extends Rect {
  data: Uint8ClampedArray;
}

/** A recovery snapshot sent as its change since the previous one (saveRecoveryTiles). */
export interface RecoveryTilesUpdate {
  /** Id of the snapshot the tiles apply to, as the host returned it for the previous save. */
  base: string;
  /** The document's size (the base has it). */
  width: number;
  height: number;
  tiles: RecoveryTile[];
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

/** Commands the native menu sends to the renderer: the action ids (src/app/actions/action-defs.ts). */
export type MenuCommand = ActionId;
