/** HTTP plumbing shared by the web server's files: isolation headers, safe paths, file, JSON and body helpers. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy, workerScriptPolicy } from '../electron/security';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** Headers every response carries: cross-origin isolation lets the wasm backend use threads. */
export const isolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/** The desktop app's CSP (own scripts, wasm, blob: workers, data:/blob: images, `frame-ancestors 'none'`), for pages and all but scripts. */
export const documentCsp = contentSecurityPolicy();

/** The CSP of script responses: the document's plus blob: scripts for tfjs-wasm's pthread workers (see workerScriptPolicy). */
export const workerScriptCsp = workerScriptPolicy(documentCsp);

/** Headers against framing and injection: the CSP above and X-Frame-Options for older browsers. */
export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': documentCsp,
  'X-Frame-Options': 'DENY',
};

/** What every answer of the web server carries, errors and 404s included. */
export const responseHeaders: Record<string, string> = { ...isolationHeaders, ...securityHeaders };

/** Extra routes (model files, API) plugged into the static server; true when it answered. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Resolves a URL path inside `root`; null for traversal attempts. */
export function safeJoin(root: string, urlPath: string): string | null {
  const decoded = decodeURIComponent(urlPath);
  if (decoded.includes('\0')) return null;
  const p = normalize(join(root, decoded));
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep) ? p : null;
}

/** Streams a regular file with its MIME type; false when there is no such file. */
export async function serveFile(res: ServerResponse, path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    const ext = extname(path);
    const csp = ext === '.js' ? { 'Content-Security-Policy': workerScriptCsp } : {};
    res.writeHead(200, { ...responseHeaders, ...csp, 'Content-Type': MIME[ext] ?? 'application/octet-stream', 'Content-Length': st.size });
    createReadStream(path).pipe(res);
    return true;
  } catch {
    return false;
  }
}

/** A JSON answer; `extra` adds headers (Connection: close on a refused upload). */
export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...responseHeaders, ...extra, 'Content-Type': 'application/json' }).end(JSON.stringify(value));
}

/** A JSON failure the browser host shows as is: `{ ok: false, error }`. */
export function sendError(res: ServerResponse, status: number, error: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { ok: false, error }, extra);
}

/** A short plain-text answer (404, 400, 421) with every response header. */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...responseHeaders, 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}
