/**
 * `npm run web`: serves the built renderer on 127.0.0.1 so Onirique runs in any browser, plus the
 * model files and model-install API backed by the same services the desktop app uses.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { HostServices } from './services/host-services';
import { modelFileForUrlPath } from './services/model-files';
import { documentRoutes } from './web-documents';

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

/** Extra routes (model files, API) plugged into the static server. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Resolves a URL path inside `root`; null for traversal attempts. */
export function safeJoin(root: string, urlPath: string): string | null {
  const decoded = decodeURIComponent(urlPath);
  if (decoded.includes('\0')) return null;
  const p = normalize(join(root, decoded));
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep) ? p : null;
}

async function serveFile(res: ServerResponse, path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    res.writeHead(200, { ...isolationHeaders, 'Content-Type': MIME[extname(path)] ?? 'application/octet-stream', 'Content-Length': st.size });
    createReadStream(path).pipe(res);
    return true;
  } catch {
    return false;
  }
}

/** Starts the server; resolves once listening. Port 0 picks a free one. */
export async function startWebServer(opts: { root: string; port: number; routes?: Route[] }): Promise<{ server: Server; url: string }> {
  const root = resolve(opts.root);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      for (const r of opts.routes ?? []) if (await r(req, res, url)) return;
      const path = safeJoin(root, url.pathname === '/' ? '/index.html' : url.pathname);
      if (path && (await serveFile(res, path))) return;
      res.writeHead(404, { ...isolationHeaders, 'Content-Type': 'text/plain' }).end('Not found');
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** The user data folder shared with the desktop app (models cache, settings). */
export function defaultUserDataDir(): string {
  const base = process.env.XDG_CONFIG_HOME ?? (process.platform === 'darwin' ? join(homedir(), 'Library', 'Application Support') : process.platform === 'win32' ? (process.env.APPDATA ?? homedir()) : join(homedir(), '.config'));
  return join(base, 'Onirique');
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { ...isolationHeaders, 'Content-Type': 'application/json' }).end(JSON.stringify(value));
}

/** Routes backed by the host services: the model list and install API, and the cached model files. */
export function modelRoutes(services: HostServices): Route {
  return async (req, res, url) => {
    if (req.method === 'GET' && url.pathname === '/api/models') {
      sendJson(res, 200, await services.listModels());
      return true;
    }
    const install = /^\/api\/models\/([^/]+)\/install$/.exec(url.pathname);
    if (req.method === 'POST' && install) {
      // Only same-origin pages may trigger a download (a foreign page cannot set this header without CORS).
      if (req.headers['sec-fetch-site'] && req.headers['sec-fetch-site'] !== 'same-origin') {
        sendJson(res, 403, { ok: false, error: 'Cross-site request refused.' });
        return true;
      }
      sendJson(res, 200, await services.installModel(decodeURIComponent(install[1]!)));
      return true;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/models/')) {
      const path = modelFileForUrlPath(services.userDataDir, url.pathname);
      if (path && (await serveFile(res, path))) return true;
      res.writeHead(404, isolationHeaders).end();
      return true;
    }
    return false;
  };
}

async function cli(): Promise<void> {
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : Number(process.env.PORT ?? 5180);
  const dataArg = process.argv.indexOf('--user-data');
  const services = new HostServices(dataArg > 0 ? resolve(process.argv[dataArg + 1]!) : defaultUserDataDir());
  await services.init();
  const root = resolve(__dirname, '..', 'renderer');
  const { url } = await startWebServer({ root, port, routes: [modelRoutes(services), documentRoutes(services)] });
  console.log(`Onirique is running at ${url} (Ctrl+C to stop)`);
}

if (require.main === module) void cli();
