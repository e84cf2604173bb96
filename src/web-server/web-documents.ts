/**
 * Document routes of `npm run web`: the browser host sends a file's bytes here so it opens with the
 * same sharp services as the desktop app (preview first for big photos, EXIF, ICC, limits).
 * Pixels travel as raw RGBA bodies; what describes them travels in one JSON header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DOCUMENT_HEADER, type DocumentHeader, type RgbaImage } from '../host/host-contract';
import { MAX_FILE_BYTES, type HostServices } from '../services/host-services';
import { preflight, sniffFormat } from '../services/image-decode';
import { responseHeaders, sendError, type Route } from './http';
import { isSameOrigin } from './request-guard';
import { declaredLength, readUpload, UploadGate, type Upload } from './upload';
import { serveHostApi, type WebApiHandlers } from './web-api';

/** Limits of `POST api/open`: the largest body, and how many uploads are read and decoded at once or wait. */
export interface UploadLimits {
  maxBytes: number;
  concurrent: number;
  waiting: number;
}

/** 512 MiB files (the desktop app's limit), two decodes at a time, four more waiting. */
export const defaultUploadLimits: UploadLimits = { maxBytes: MAX_FILE_BYTES, concurrent: 2, waiting: 4 };

// A refused upload closes its connection: Node would otherwise read (and drop) the rest of the body.
const CLOSE = { Connection: 'close' };

/** The services' own "not an image" message for a head whose format is unknown; null for an image. */
function notAnImage(name: string, head: Buffer): string | null {
  if (sniffFormat(head)) return null;
  try {
    preflight(head, name);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The upload's declared length when it is there and within the limit; else why not (nothing is read). */
function checkedLength(req: IncomingMessage, name: string, maxBytes: number): number | Extract<Upload, { ok: false }> {
  const length = declaredLength(req);
  if (length === null) return { ok: false, status: 411, error: `“${name}” was sent without its length.` };
  if (Number.isNaN(length)) return { ok: false, status: 400, error: 'The upload declares no valid length.' };
  if (length > maxBytes) return { ok: false, status: 413, error: `“${name}” is larger than ${Math.round(maxBytes / 2 ** 20)} MiB.` };
  return length;
}

function sendPixels(res: ServerResponse, image: RgbaImage, header: DocumentHeader): void {
  const body = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  res
    .writeHead(200, {
      ...responseHeaders,
      'Content-Type': 'application/octet-stream',
      'Content-Length': body.length,
      [DOCUMENT_HEADER]: encodeURIComponent(JSON.stringify(header)),
    })
    .end(body);
}

/** The host table's document methods: openBytes (POST api/open?name=…, file bytes) and fullImage (GET api/documents/:docId/full). */
export function documentApi(services: HostServices, limits: UploadLimits = defaultUploadLimits): Pick<WebApiHandlers, 'openBytes' | 'fullImage'> {
  const gate = new UploadGate(limits.concurrent, limits.waiting);
  return {
    openBytes: async ({ req, res, url }) => {
      const name = url.searchParams.get('name') ?? 'Untitled';
      const length = checkedLength(req, name, limits.maxBytes);
      if (typeof length !== 'number') return sendError(res, length.status, length.error, CLOSE);
      const release = await gate.acquire();
      if (!release) return sendError(res, 503, `The local server is busy opening other files; open “${name}” again in a moment.`, CLOSE);
      try {
        const body = await readUpload(req, length, (head) => notAnImage(name, head));
        if (!body.ok) return sendError(res, body.status, body.error, CLOSE);
        const r = await services.openBytes(name, body.bytes);
        if (!r.ok) return sendError(res, 422, r.error);
        const { image, ...doc } = r.value;
        sendPixels(res, image, { ...doc, width: image.width, height: image.height });
      } finally {
        release();
      }
    },
    fullImage: async ({ res, params: { docId } }) => {
      const r = await services.fullImage(docId);
      if (!r.ok) sendError(res, 422, r.error);
      else sendPixels(res, r.value, { docId, name: '', format: '', storedWidth: 0, storedHeight: 0, orientation: 1, width: r.value.width, height: r.value.height });
    },
  };
}

/** Everything under /api/open and /api/documents/: same-origin only, then the document methods, else 404. */
export function documentRoutes(services: HostServices, limits: UploadLimits = defaultUploadLimits): Route {
  const api = documentApi(services, limits);
  return async (req, res, url) => {
    if (!url.pathname.startsWith('/api/open') && !url.pathname.startsWith('/api/documents/')) return false;
    // Only our own page may use the decoder (startWebServer checks every /api/ route too).
    if (!isSameOrigin(req)) {
      sendError(res, 403, 'Cross-site request refused.');
      return true;
    }
    if (!(await serveHostApi(api, req, res, url))) sendError(res, 404, 'Unknown document request.');
    return true;
  };
}
