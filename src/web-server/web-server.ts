/**
 * `npm run web`: serves the built renderer on 127.0.0.1 so Onirique runs in any browser, plus the
 * model files and model-install API backed by the same services the desktop app uses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostServices, MAX_TRAINED_MODEL_BYTES } from '../services/host-services';
import { modelFileForUrlPath } from '../services/model-files';
import { safeJoin, sendError, sendJson, sendText, serveFile, type Route } from './http';
import { isAllowedHost, isSameOrigin, requestUrl } from './request-guard';
import { declaredLength, readUpload } from './upload';
import { serveHostApi, type WebApiHandlers } from './web-api';
import { documentApi, documentRoutes } from './web-documents';
import { exportApi, exportRoutes } from './web-export';

// Kept importable from here (app-protocol, the e2e harness, older callers).
export { isolationHeaders, safeJoin, type Route } from './http';

/**
 * One request: a foreign Host is refused first (DNS rebinding), on every route; a malformed URL is a
 * 400; every /api/ route needs our own page's Origin; then the routes, then the renderer's files.
 */
async function answer(root: string, routes: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!isAllowedHost(req)) return sendText(res, 421, 'This server answers only as 127.0.0.1 or localhost on its own port.');
  const url = requestUrl(req.url);
  if (!url) return sendText(res, 400, 'Bad request.');
  if (url.pathname.startsWith('/api/') && !isSameOrigin(req)) return sendError(res, 403, 'Cross-site request refused.');
  for (const r of routes) if (await r(req, res, url)) return;
  const path = safeJoin(root, url.pathname === '/' ? '/index.html' : url.pathname);
  if (path && (await serveFile(res, path))) return;
  sendText(res, 404, 'Not found');
}

/** Starts the server; resolves once listening. Port 0 picks a free one. */
export async function startWebServer(opts: { root: string; port: number; routes?: Route[] }): Promise<{ server: Server; url: string }> {
  const root = resolve(opts.root);
  const server = createServer((req, res) => {
    answer(root, opts.routes ?? [], req, res).catch((e: unknown) => {
      // The text stays in the server's log: an exception may name local paths.
      console.error(e);
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
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

/** The host table's model methods: listModels (GET api/models), installModel (POST api/models/:id/install), saveTrainedModel (POST api/models/trained). */
export function modelApi(services: HostServices): Pick<WebApiHandlers, 'listModels' | 'installModel' | 'saveTrainedModel'> {
  return {
    listModels: async ({ res }) => sendJson(res, 200, await services.listModels()),
    installModel: async ({ req, res, params: { id } }) => {
      // Only same-origin pages may trigger a download (startWebServer checks every /api/ route too).
      if (!isSameOrigin(req)) sendJson(res, 403, { ok: false, error: 'Cross-site request refused.' });
      else sendJson(res, 200, await services.installModel(id));
    },
    saveTrainedModel: async ({ req, res }) => {
      if (!isSameOrigin(req)) return sendJson(res, 403, { ok: false, error: 'Cross-site request refused.' });
      // The body is the request as JSON with base64 bytes (binary-json.ts): about 4/3 of the model's size.
      const length = declaredLength(req);
      if (length === null || Number.isNaN(length) || length > (MAX_TRAINED_MODEL_BYTES * 4) / 3 + 65536) return sendJson(res, 413, { ok: false, error: 'The trained model is missing its length or too large.' });
      const body = await readUpload(req, length, () => null);
      if (!body.ok) return sendJson(res, body.status, { ok: false, error: body.error });
      let raw: unknown;
      try {
        raw = JSON.parse(body.bytes.toString('utf8'), base64Bytes);
      } catch {
        return sendJson(res, 400, { ok: false, error: 'The trained model is not valid JSON.' });
      }
      sendJson(res, 200, await services.saveTrainedModel(raw));
    },
  };
}

/** JSON.parse reviver for binary-json.ts's `{ __b64 }` records (that module is the renderer's; the server decodes with Buffer). */
function base64Bytes(_key: string, v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const b64: unknown = Reflect.get(v, '__b64');
  return typeof b64 === 'string' ? new Uint8Array(Buffer.from(b64, 'base64')) : v;
}

/** Every routed host method's handler: the typed route table, checked against the host table's rows. */
export function webApi(services: HostServices): WebApiHandlers {
  return { ...documentApi(services), ...modelApi(services), ...exportApi(services) };
}

/** The routes `npm run web` serves besides the renderer's files: models first, then documents. */
export function webRoutes(services: HostServices): Route[] {
  return [modelRoutes(services), documentRoutes(services), exportRoutes(services)];
}

/** Routes backed by the host services: the model list and install API, and the cached model files. */
export function modelRoutes(services: HostServices): Route {
  const api = modelApi(services);
  return async (req, res, url) => {
    if (await serveHostApi(api, req, res, url)) return true;
    if (req.method === 'GET' && url.pathname.startsWith('/models/')) {
      const path = modelFileForUrlPath(services.userDataDir, url.pathname);
      if (path && (await serveFile(res, path))) return true;
      sendText(res, 404, 'Not found');
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
  const { url } = await startWebServer({ root, port, routes: webRoutes(services) });
  console.log(`Onirique is running at ${url} (Ctrl+C to stop)`);
}

if (require.main === module) void cli();
