/**
 * The export route of `npm run web` (exportImage's `POST api/export`): the browser host sends the
 * pixels here so its download is encoded by the same sharp encoder and metadata writer as the
 * desktop app and the CLI (PNG text chunks, XMP for the other formats). Nothing is written to disk.
 */
import { EXPORT_ANIMATION_HEADER, EXPORT_HEADER, MAX_PIXELS, type ExportAnimationHeader, type ExportHeader } from '../host/host-contract';
import { MAX_ANIMATION_FRAMES } from '../services/encode-animation';
import type { HostServices } from '../services/host-services';
import { formatMime } from '../services/encode';
import { responseHeaders, sendError, type Route } from './http';
import { isSameOrigin } from './request-guard';
import { declaredLength, readUpload } from './upload';
import { serveHostApi, type WebApiHandlers } from './web-api';

const CLOSE = { Connection: 'close' };

/** The export header's JSON, or null when it is missing or not an object. */
function readHeader<H>(raw: string | string[] | undefined): Partial<H> | null {
  if (typeof raw !== 'string') return null;
  try {
    const v: unknown = JSON.parse(decodeURIComponent(raw));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** The host table's exportImage handler: raw RGBA body plus EXPORT_HEADER in, the encoded file out. */
export function exportApi(services: HostServices): Pick<WebApiHandlers, 'exportImage' | 'exportAnimation'> {
  return {
    exportImage: async ({ req, res }) => {
      const header = readHeader<ExportHeader>(req.headers[EXPORT_HEADER.toLowerCase()]);
      const { width, height } = header ?? {};
      if (!header || !Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1 || width! * height! > MAX_PIXELS) {
        return sendError(res, 400, 'The export request is missing its description or size.', CLOSE);
      }
      const length = declaredLength(req);
      if (length !== width! * height! * 4) return sendError(res, 400, 'The export body does not match the image size.', CLOSE);
      const body = await readUpload(req, length, () => null);
      if (!body.ok) return sendError(res, body.status, body.error, CLOSE);
      const { width: w, height: h, ...rest } = header;
      const data = new Uint8ClampedArray(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
      const r = await services.encodeExport({ ...rest, image: { width: w, height: h, data } });
      if (!r.ok) return sendError(res, 422, r.error);
      const mime = formatMime[rest.format ?? 'png'];
      res.writeHead(200, { ...responseHeaders, 'Content-Type': mime, 'Content-Length': r.value.bytes.length }).end(r.value.bytes);
    },
    exportAnimation: async ({ req, res }) => {
      const header = readHeader<ExportAnimationHeader>(req.headers[EXPORT_ANIMATION_HEADER.toLowerCase()]);
      const { width = 0, height = 0, count = 0 } = header ?? {};
      if (!header || ![width, height, count].every((n) => Number.isInteger(n) && n >= 1) || count > MAX_ANIMATION_FRAMES || width * height * count > MAX_PIXELS) {
        return sendError(res, 400, 'The animation request is missing its description or size.', CLOSE);
      }
      const frameBytes = width * height * 4;
      const length = declaredLength(req);
      if (length !== frameBytes * count) return sendError(res, 400, 'The animation body does not match its frames.', CLOSE);
      const body = await readUpload(req, length, () => null);
      if (!body.ok) return sendError(res, body.status, body.error, CLOSE);
      const { width: _w, height: _h, count: _c, ...rest } = header;
      const frames = Array.from({ length: count }, (_, i) => ({ width, height, data: new Uint8ClampedArray(body.bytes.buffer, body.bytes.byteOffset + i * frameBytes, frameBytes) }));
      const r = await services.encodeAnimationExport({ ...rest, frames });
      if (!r.ok) return sendError(res, 422, r.error);
      const mime = rest.format === 'gif' ? 'image/gif' : 'image/webp';
      res.writeHead(200, { ...responseHeaders, 'Content-Type': mime, 'Content-Length': r.value.bytes.length }).end(r.value.bytes);
    },
  };
}

/** `POST /api/export`: same-origin only (startWebServer checks every /api/ route too). */
export function exportRoutes(services: HostServices): Route {
  const api = exportApi(services);
  return async (req, res, url) => {
    if (url.pathname !== '/api/export' && url.pathname !== '/api/export/animation') return false;
    if (!isSameOrigin(req)) {
      sendError(res, 403, 'Cross-site request refused.');
      return true;
    }
    if (!(await serveHostApi(api, req, res, url))) sendError(res, 405, 'Export takes POST.');
    return true;
  };
}
