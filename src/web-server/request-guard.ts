/**
 * Who may talk to the web server. A page on another site whose name rebinds to 127.0.0.1 reaches
 * this port as "same-origin" with its own name in `Host`, so the host name is checked on every
 * request, and API calls must also prove they come from our own page (Origin or Sec-Fetch-Site).
 */
import type { IncomingMessage } from 'node:http';

/** The loopback names the page may be opened under, with this server's port. */
export function allowedHosts(port: number): string[] {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  // A browser leaves the default port out of Host.
  return port === 80 ? names.flatMap((n) => [n, `${n}:80`]) : names.map((n) => `${n}:${port}`);
}

/** True when the `Host` header names this server by a loopback name and its own port. */
export function isAllowedHost(req: IncomingMessage): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowedHosts(req.socket.localPort ?? 0).includes(host);
}

/**
 * True when the request comes from a page of this very origin: its `Origin` (sent on POSTs and
 * CORS-mode fetches, a worker's included) is `http://` + the checked Host, or, for same-origin
 * GETs that carry no Origin, `Sec-Fetch-Site: same-origin` (any other value refuses). Neither: refused.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  if (!isAllowedHost(req)) return false;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  if (origin !== undefined) return origin.toLowerCase() === `http://${req.headers.host?.toLowerCase() ?? ''}`;
  return site === 'same-origin';
}

/** The request's URL when it parses and its path's `%` escapes all decode; null for a 400 (not an exception). */
export function requestUrl(raw: string | undefined): URL | null {
  try {
    const url = new URL(raw ?? '/', 'http://127.0.0.1');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return null;
  }
}
