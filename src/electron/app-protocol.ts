/** The privileged app:// scheme: serves the built renderer and cached models with isolation headers. */
import { net, protocol } from 'electron';
import { realpath, stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { safeJoin } from '../web-server/http';
import { workerScriptPolicy } from './security';

/** Scheme and host the window loads from. */
export const APP_ORIGIN = 'app://onirique';

/** Must run before app 'ready': the scheme gets fetch, secure-context and standard-URL semantics. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

/** A file a request may be answered with, and the folder it must stay inside once symlinks are resolved. */
interface Candidate {
  path: string;
  root: string;
}

/** Maps an app:// URL to a candidate file; null for another host, a malformed escape or a path leaving its root. */
function candidateFor(url: URL, rendererDir: string, modelFile: (id: string, file: string) => string | null): Candidate | null {
  if (url.protocol !== 'app:' || url.host !== 'onirique') return null;
  try {
    const m = /^\/models\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const path = modelFile(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
      return path ? { path, root: dirname(path) } : null;
    }
    const path = safeJoin(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
    return path ? { path, root: rendererDir } : null;
  } catch {
    // decodeURIComponent throws on a malformed escape such as %E0.
    return null;
  }
}

/**
 * The real path of a regular file inside its root, or null. Resolving symlinks first keeps a link
 * planted in the model cache (or the renderer folder) from serving files elsewhere on disk.
 */
async function servablePath({ path, root }: Candidate): Promise<string | null> {
  try {
    const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
    if (!real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** Serves `rendererDir` and, under /models/, files resolved by `modelFile`; everything else is 404. */
export function setupAppProtocol(rendererDir: string, csp: string, modelFile: (id: string, file: string) => string | null): void {
  protocol.handle('app', async (req) => {
    const candidate = candidateFor(new URL(req.url), rendererDir, modelFile);
    const path = candidate && (await servablePath(candidate));
    if (!candidate || !path) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(path).href);
    const headers = new Headers(res.headers);
    // Cross-origin isolation gives the wasm backend threads (SharedArrayBuffer).
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    // A script may run as the worker, whose policy is its own response's: it needs blob: for tfjs-wasm's threads.
    headers.set('Content-Security-Policy', /\.m?js$/.test(candidate.path) ? workerScriptPolicy(csp) : csp);
    if (candidate.path.endsWith('.wasm')) headers.set('Content-Type', 'application/wasm');
    return new Response(res.body, { status: res.status, headers });
  });
}
