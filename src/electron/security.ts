/**
 * Electron-free security policy, unit-tested: CSP, allowed navigation and IPC senders, permissions,
 * hardened webPreferences, fuses, and "open with" argv parsing. main.ts only wires these in.
 */
import type { WebPreferences } from 'electron';

export { imagePathsFromArgv } from '../services/file-associations';

/** Origin of the privileged app:// scheme the window loads from (same value as app-protocol.ts). */
export const APP_ORIGIN = 'app://onirique';

/** Options of contentSecurityPolicy. */
export interface CspOptions {
  /** Vite dev server origin (http://127.0.0.1:port) allowed in development builds only. */
  devServer?: string | null;
}

/**
 * The app's Content-Security-Policy: nothing remote, own scripts only, wasm compilation for the
 * tfjs wasm backend ('wasm-unsafe-eval', not 'unsafe-eval'), workers from own files or blobs.
 * Inline styles stay allowed because Svelte writes style attributes.
 */
export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const dev = opts.devServer ? devOrigin(opts.devServer) : null;
  const self = dev ? `'self' ${dev}` : "'self'";
  const hmr = dev ? ` ${dev.replace(/^http/, 'ws')}` : '';
  return [
    "default-src 'none'",
    `script-src ${self} 'wasm-unsafe-eval'`,
    `worker-src ${self} blob:`,
    `style-src ${self} 'unsafe-inline'`,
    `img-src ${self} data: blob:`,
    `font-src ${self} data:`,
    `connect-src ${self} blob: data:${hmr}`,
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The CSP of a script response, which only counts when the script runs as a worker (a worker takes
 * its policy from its own response): `csp` plus blob: scripts, because tfjs-wasm's pthreads are
 * blob: workers that inherit it and importScripts() the threaded module from a blob. Without it the
 * wasm backend never starts (measured in Chromium: "tfjs: starting…" forever). Used by app:// and the web server.
 */
export function workerScriptPolicy(csp: string): string {
  return csp
    .split('; ')
    .map((d) => (d.startsWith('script-src ') ? `${d} blob:` : d))
    .join('; ');
}

/** The origin of a dev server URL when it is a loopback http server; null otherwise. */
export function devOrigin(devUrl: string | null): string | null {
  if (!devUrl) return null;
  try {
    const u = new URL(devUrl);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]') ? u.origin : null;
  } catch {
    return null;
  }
}

/** True when a URL belongs to the app: app://onirique/..., or the loopback dev server in development. */
export function isAppUrl(url: string, devUrl: string | null = null): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'app:' && u.host === 'onirique') return true;
  const dev = devOrigin(devUrl);
  return dev !== null && u.origin === dev;
}

/** Only the app's own pages (and the dev server in development) may be navigated to. */
export function isAllowedNavigation(url: string, devUrl: string | null = null): boolean {
  return isAppUrl(url, devUrl);
}

/** IPC is answered only for frames showing the app's own pages (main also checks the webContents). */
export function isTrustedSenderUrl(frameUrl: string | null | undefined, devUrl: string | null = null): boolean {
  return typeof frameUrl === 'string' && isAppUrl(frameUrl, devUrl);
}

/** Permissions the app's own page may use: writing to the clipboard and fullscreen. Everything else is denied. */
export const ALLOWED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write', 'fullscreen'];

/** Decision for session.setPermissionRequestHandler / setPermissionCheckHandler. */
export function isPermissionAllowed(permission: string, requestingUrl: string, devUrl: string | null = null): boolean {
  return ALLOWED_PERMISSIONS.includes(permission) && isAppUrl(requestingUrl, devUrl);
}

/**
 * Web pages the app itself links to (model credits, help). A page that window.open()s anything
 * else (a hostile model card, an injected script) opens nothing: the system browser is not a
 * free proxy for the renderer. Today the UI offers no external link, so the list is empty.
 */
export const OFFERED_EXTERNAL_LINKS: readonly string[] = [];

/** A link that may open in the system browser: one the app offers, https, no credentials; null otherwise. */
export function externalUrlToOpen(url: string, offered: readonly string[] = OFFERED_EXTERNAL_LINKS): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' || u.username || u.password) return null;
    return offered.includes(u.href) ? u.href : null;
  } catch {
    return null;
  }
}

/** webPreferences of every window (the preload path is added by main). */
export const hardenedWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const satisfies WebPreferences;

/** Names of the Electron fuses (FuseV1Options in @electron/fuses). */
export type FuseName =
  | 'RunAsNode'
  | 'EnableCookieEncryption'
  | 'EnableNodeOptionsEnvironmentVariable'
  | 'EnableNodeCliInspectArguments'
  | 'EnableEmbeddedAsarIntegrityValidation'
  | 'OnlyLoadAppFromAsar'
  | 'LoadBrowserProcessSpecificV8Snapshot'
  | 'GrantFileProtocolExtraPrivileges';

/**
 * Fuses flipped in the packaged binary by scripts/after-pack.cjs (a test checks both agree):
 * the binary cannot be used as a Node runtime, ignores NODE_OPTIONS and --inspect, loads only its
 * own integrity-checked app.asar, and gives file:// no extra rights (the app uses app://).
 */
export const fuseConfig: Readonly<Record<FuseName, boolean>> = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};
