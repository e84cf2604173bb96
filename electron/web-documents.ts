/**
 * Document routes of `npm run web`: the browser host sends a file's bytes here so it opens with the
 * same sharp services as the desktop app (preview first for big photos, EXIF, ICC, limits).
 * Pixels travel as raw RGBA bodies; what describes them travels in one JSON header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DOCUMENT_HEADER, type DocumentHeader, type RgbaImage } from './ipc-contract';
import { MAX_FILE_BYTES, type HostServices } from './services/host-services';
import { isolationHeaders, type Route } from './web-server';

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) return null;
    chunks.push(c);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function sendError(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { ...isolationHeaders, 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: false, error }));
}

function sendPixels(res: ServerResponse, image: RgbaImage, header: DocumentHeader): void {
  const body = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  res
    .writeHead(200, {
      ...isolationHeaders,
      'Content-Type': 'application/octet-stream',
      'Content-Length': body.length,
      [DOCUMENT_HEADER]: encodeURIComponent(JSON.stringify(header)),
    })
    .end(body);
}

/** POST /api/open?name=… (file bytes) → first pixels; GET /api/documents/:id/full → the full pixels. */
export function documentRoutes(services: HostServices): Route {
  return async (req, res, url) => {
    if (!url.pathname.startsWith('/api/open') && !url.pathname.startsWith('/api/documents/')) return false;
    // Only our own page may use the decoder (a foreign page cannot set this header without CORS).
    if (req.headers['sec-fetch-site'] && req.headers['sec-fetch-site'] !== 'same-origin') {
      sendError(res, 403, 'Cross-site request refused.');
      return true;
    }
    if (req.method === 'POST' && url.pathname === '/api/open') {
      const name = url.searchParams.get('name') ?? 'Untitled';
      const bytes = await readBody(req, MAX_FILE_BYTES);
      const r = bytes ? await services.openBytes(name, bytes) : { ok: false as const, error: `“${name}” is larger than 512 MiB.` };
      if (!r.ok) sendError(res, 422, r.error);
      else {
        const { image, ...doc } = r.value;
        sendPixels(res, image, { ...doc, width: image.width, height: image.height });
      }
      return true;
    }
    const full = /^\/api\/documents\/([^/]+)\/full$/.exec(url.pathname);
    if (req.method === 'GET' && full) {
      const docId = decodeURIComponent(full[1]!);
      const r = await services.fullImage(docId);
      if (!r.ok) sendError(res, 422, r.error);
      else sendPixels(res, r.value, { docId, name: '', format: '', storedWidth: 0, storedHeight: 0, orientation: 1, width: r.value.width, height: r.value.height });
      return true;
    }
    sendError(res, 404, 'Unknown document request.');
    return true;
  };
}
