/** Validation of untrusted arguments arriving over IPC (or the e2e binding). */
import type { ExportFormat, ExportRequest, RgbaImage } from '../host/host-contract';
import { MAX_PIXELS } from '../host/host-contract';

const FORMATS: readonly ExportFormat[] = ['png', 'jpeg', 'webp', 'avif', 'tiff'];
/** Limits on export metadata, so a renderer cannot make main build huge chunks. */
const MAX_METADATA_KEYS = 64;
const MAX_METADATA_VALUE = 64 * 1024;
/** Names Windows reserves in every folder (with or without an extension). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Throws unless v is RGBA pixels of consistent size. */
export function parseRgbaImage(v: unknown): RgbaImage {
  const o = v as Partial<RgbaImage> | null;
  if (!o || typeof o !== 'object') throw new Error('Image must be an object.');
  const { width, height } = o;
  const data: unknown = o.data;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1 || width! * height! > MAX_PIXELS) {
    throw new Error('Image size is invalid.');
  }
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array) || data.length !== width! * height! * 4) {
    throw new Error('Image pixels do not match its size.');
  }
  const bytes = data instanceof Uint8ClampedArray ? data : new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  return { width: width!, height: height!, data: bytes };
}

/**
 * A plain file name: no directory parts (/ \ or a drive colon), no control characters,
 * not . or .., not a Windows device name, no trailing dot or space (Windows strips them).
 */
export function parseFileName(v: unknown): string {
  if (
    typeof v !== 'string' ||
    v.length === 0 ||
    v.length > 255 ||
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    /[/\\:\0-\x1f\x7f]/.test(v) ||
    v === '.' ||
    v === '..' ||
    /[. ]$/.test(v) ||
    WINDOWS_RESERVED.test(v)
  ) {
    throw new Error('File name is invalid.');
  }
  return v;
}

/** An opaque id the host issued (document ids are UUIDs, recent ids are hex digests); throws otherwise. */
export function parseHostId(v: unknown, what = 'id'): string {
  if (typeof v !== 'string' || !/^[0-9a-f][0-9a-f-]{7,63}$/i.test(v)) throw new Error(`The ${what} is invalid.`);
  return v;
}

/** Throws unless v is a well-formed ExportRequest. */
export function parseExportRequest(v: unknown): ExportRequest {
  const o = v as Partial<ExportRequest> | null;
  if (!o || typeof o !== 'object') throw new Error('Export request must be an object.');
  const image = parseRgbaImage(o.image);
  if (!FORMATS.includes(o.format as ExportFormat)) throw new Error('Export format is invalid.');
  const quality = o.quality ?? 90;
  if (typeof quality !== 'number' || !Number.isFinite(quality) || quality < 1 || quality > 100) throw new Error('Export quality must be 1..100.');
  const metadata: Record<string, string> = {};
  if (o.metadata !== undefined) {
    if (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata)) throw new Error('Export metadata must be an object.');
    const entries = Object.entries(o.metadata);
    if (entries.length > MAX_METADATA_KEYS) throw new Error(`Export metadata has more than ${MAX_METADATA_KEYS} keys.`);
    for (const [k, val] of entries) {
      if (typeof val !== 'string' || k.length === 0 || k.length > 79 || val.length > MAX_METADATA_VALUE) {
        throw new Error('Export metadata must map short keys to strings.');
      }
      metadata[k] = val;
    }
  }
  const sourceDocId = o.sourceDocId === undefined ? undefined : parseHostId(o.sourceDocId, 'source document id');
  if (o.copyExif !== undefined && typeof o.copyExif !== 'boolean') throw new Error('copyExif must be true or false.');
  const copyExif = o.copyExif ?? false;
  if (copyExif && sourceDocId === undefined) throw new Error('Copying EXIF needs the source document.');
  return { image, format: o.format as ExportFormat, quality: Math.round(quality), suggestedName: parseFileName(o.suggestedName), metadata, sourceDocId, copyExif };
}
