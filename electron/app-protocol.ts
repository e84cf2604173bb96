/** The privileged app:// scheme: serves the built renderer and cached models with isolation headers. */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { safeJoin } from './web-server';

/** Scheme and host the window loads from. */
export const APP_ORIGIN = 'app://onirique';

/** Must run before app 'ready': the scheme gets fetch, secure-context and standard-URL semantics. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

/** Serves `rendererDir` and, under /models/, files resolved by `modelFile`; everything else is 404. */
export function setupAppProtocol(rendererDir: string, csp: string, modelFile: (id: string, file: string) => string | null): void {
  protocol.handle('app', async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'onirique') return new Response('Not found', { status: 404 });
    const m = /^\/models\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const path = m ? modelFile(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)) : safeJoin(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
    if (!path) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(path).href);
    const headers = new Headers(res.headers);
    // Cross-origin isolation gives the wasm backend threads (SharedArrayBuffer).
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Content-Security-Policy', csp);
    if (path.endsWith('.wasm')) headers.set('Content-Type', 'application/wasm');
    return new Response(res.body, { status: res.status, headers });
  });
}
