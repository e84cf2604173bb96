/** The Electron-free security policy main wires in: CSP, navigation, IPC senders, permissions, webPreferences. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  contentSecurityPolicy,
  externalUrlToOpen,
  hardenedWebPreferences,
  isAllowedNavigation,
  isPermissionAllowed,
  isTrustedSenderUrl,
} from '../../src/electron/security';
import { repoRoot } from './files-fixtures';

/** Parses "a b; c d" into a directive map. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe('contentSecurityPolicy', () => {
  const csp = directives(contentSecurityPolicy());

  it('denies by default and allows only own files, wasm compilation and blob workers', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
    for (const d of ['object-src', 'frame-src', 'base-uri', 'form-action', 'frame-ancestors']) expect(csp.get(d)).toEqual(["'none'"]);
  });

  it('loads nothing remote and never allows eval or inline scripts', () => {
    const text = contentSecurityPolicy();
    expect(text).not.toMatch(/https?:|wss?:|\*/);
    expect(csp.get('script-src')).not.toContain("'unsafe-eval'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('in development adds only a loopback dev server (and its HMR socket)', () => {
    const dev = directives(contentSecurityPolicy({ devServer: 'http://127.0.0.1:5173/' }));
    expect(dev.get('script-src')).toContain('http://127.0.0.1:5173');
    expect(dev.get('connect-src')).toContain('ws://127.0.0.1:5173');
    expect(contentSecurityPolicy({ devServer: 'http://evil.example:5173' })).toBe(contentSecurityPolicy());
  });
});

describe('navigation and IPC senders', () => {
  it('allows the app origin only', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isAllowedNavigation(`${APP_ORIGIN}/models/x/model.json`)).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:5173/',
      'file:///etc/passwd',
      'app://onirique.evil/index.html',
      'app://evil/index.html',
      'app://user:pw@onirique/index.html',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'not a url',
    ]) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });

  it('allows the dev server by origin, not by prefix', () => {
    const dev = 'http://127.0.0.1:5173';
    expect(isAllowedNavigation('http://127.0.0.1:5173/src/main.ts', dev)).toBe(true);
    expect(isAllowedNavigation('http://127.0.0.1:51730/', dev)).toBe(false);
    expect(isAllowedNavigation('http://127.0.0.1:5173.evil.com/', dev)).toBe(false);
    expect(isAllowedNavigation('https://evil.com/', 'https://evil.com')).toBe(false);
  });

  it('trusts IPC only from app frames', () => {
    expect(isTrustedSenderUrl(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isTrustedSenderUrl('https://example.com/')).toBe(false);
    expect(isTrustedSenderUrl(undefined)).toBe(false);
    expect(isTrustedSenderUrl('')).toBe(false);
  });

  it('uses the same origin as the app:// protocol handler', async () => {
    const source = await readFile(join(repoRoot, 'src', 'electron', 'app-protocol.ts'), 'utf8');
    expect(source).toContain(`export const APP_ORIGIN = '${APP_ORIGIN}'`);
  });
});

describe('permissions and external links', () => {
  it('grants clipboard writing and fullscreen to the app page only, nothing else', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', `${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isPermissionAllowed('fullscreen', `${APP_ORIGIN}/`)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com/')).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid', 'serial', 'usb', 'midiSysex']) {
      expect(isPermissionAllowed(p, `${APP_ORIGIN}/index.html`), p).toBe(false);
    }
  });

  it('opens only plain https links externally', () => {
    const offered = ['https://github.com/x'];
    expect(externalUrlToOpen('https://github.com/x', offered)).toBe('https://github.com/x');
    for (const url of ['http://x.com', 'file:///etc/passwd', 'smb://host/share', 'https://u:p@x.com/', 'javascript:1', 'app://onirique/x', 'https://github.com/y', 'https://evil.example/']) {
      expect(externalUrlToOpen(url, offered), url).toBeNull();
    }
    // The app offers no external link today: nothing a page asks for opens.
    expect(externalUrlToOpen('https://github.com/x')).toBeNull();
  });
});

describe('hardenedWebPreferences', () => {
  it('is the Electron security checklist', () => {
    expect(hardenedWebPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });
});
