/** Validation of `exportBytes` requests: the bytes must really be what their kind says before they reach disk. */
import type { ExportBytesKind, ExportBytesRequest } from '../host/host-contract';
import { parseFileName } from './validate';

/** Largest byte export accepted (a 100 MP float32 .npy is 400 MB; its CSV is about twice that). */
export const MAX_EXPORT_BYTES = 1 << 30;

/** Kinds `exportBytes` accepts, with the file extension each must carry. */
export const exportBytesExtension: Record<ExportBytesKind, string> = { npy: 'npy', csv: 'csv', png16: 'png' };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Throws unless `bytes` look like the kind: npy magic, UTF-8 text without NUL, or a 16-bit greyscale PNG. */
export function checkExportBytes(bytes: Uint8Array, kind: ExportBytesKind): void {
  switch (kind) {
    case 'npy':
      if (!startsWith(bytes, NPY_MAGIC)) throw new Error('The .npy export does not start with the NumPy magic bytes.');
      return;
    case 'csv':
      // A CSV is text: refuse binary payloads so a renderer cannot write arbitrary files under a .csv name.
      if (bytes.includes(0)) throw new Error('The CSV export contains NUL bytes.');
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new Error('The CSV export is not UTF-8 text.');
      }
      return;
    case 'png16': {
      // IHDR is the first chunk: length 13 at byte 8, type at 12, bit depth at 24, colour type at 25.
      const ihdr = bytes.length >= 33 && bytes[12] === 0x49 && bytes[13] === 0x48 && bytes[14] === 0x44 && bytes[15] === 0x52;
      if (!startsWith(bytes, PNG_SIGNATURE) || !ihdr) throw new Error('The 16-bit PNG export is not a PNG stream.');
      if (bytes[24] !== 16 || bytes[25] !== 0) throw new Error('The 16-bit PNG export is not 16-bit greyscale.');
      return;
    }
  }
}

/** Validates an untrusted `exportBytes` request (IPC or the e2e binding). */
export function parseExportBytesRequest(v: unknown): ExportBytesRequest {
  const o = v as Partial<ExportBytesRequest> | null;
  if (!o || typeof o !== 'object') throw new Error('Export request must be an object.');
  const kind = o.kind;
  if (kind !== 'npy' && kind !== 'csv' && kind !== 'png16') throw new Error('Export kind must be npy, csv or png16.');
  const suggestedName = parseFileName(o.suggestedName);
  const raw: unknown = o.bytes;
  if (!(raw instanceof Uint8Array)) throw new Error('Export bytes must be a byte array.');
  if (raw.byteLength === 0 || raw.byteLength > MAX_EXPORT_BYTES) throw new Error('Export size is invalid (empty or over 1 GiB).');
  checkExportBytes(raw, kind);
  return { bytes: raw, suggestedName, kind };
}
