/**
 * The e2e harness: the same Electron-free main-process services the desktop app uses, wired into
 * the page through Playwright's exposeBinding. Dialogs are the only stand-ins: the test says which
 * path the user "chose".
 */
import type { Page } from '@playwright/test';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostServices } from '../electron/services/host-services';
import { modelFileForUrlPath } from '../electron/services/model-files';
import type { ModelStoreOptions } from '../electron/services/model-store';
import { safeJoin } from '../electron/web-server';
import { decodeBinary, encodeBinary } from '../renderer/host/binary-json';

/** Repository root and the shared data beside it. */
export const repoRoot = resolve(__dirname, '..');
/** Shared photos (never copied into the repo). */
export const photosDir = resolve(repoRoot, '..', 'shared', 'photos');
/** The shared pretrained models, served by a local HTTP server as the "public model host". */
export const sharedModelsDir = resolve(repoRoot, '..', 'shared', 'models');

let modelHost: Promise<string> | null = null;

/** Starts (once per test process) a 127.0.0.1 server that plays the public model host. */
export function startModelHost(): Promise<string> {
  modelHost ??= new Promise((ok) => {
    const server = createServer((req, res) => {
      const path = safeJoin(sharedModelsDir, new URL(req.url ?? '/', 'http://x').pathname);
      if (!path) return void res.writeHead(404).end();
      createReadStream(path)
        .on('error', () => res.writeHead(404).end())
        .once('open', () => res.writeHead(200))
        .pipe(res);
    });
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address() as AddressInfo;
      // The catalog appends the model id, as on the public host.
      ok(`http://127.0.0.1:${addr.port}/`);
    });
    server.unref();
  });
  return modelHost;
}

/** Controls for one page: the live services and the dialog answers. */
export interface Harness {
  services: HostServices;
  userDataDir: string;
  /** Path the next open dialog returns (null = user cancels). */
  nextOpen: string | null;
  /** Path the next save dialog returns (null = user cancels). */
  nextSave: string | null;
  /** Every host method the page called, for assertions. */
  calls: string[];
  page: Page;
}

/** Injects the host binding and loads the app. */
export async function openApp(page: Page, opts: { userDataDir?: string; modelOptions?: ModelStoreOptions } = {}): Promise<Harness> {
  const userDataDir = opts.userDataDir ?? (await mkdtemp(join(tmpdir(), 'onirique-e2e-')));
  // modelOptions lets a test slow the real download (fetchImpl) so its progress and Cancel can be seen.
  const services = new HostServices(userDataDir, { baseUrl: await startModelHost(), ...opts.modelOptions });
  await services.init();
  const h: Harness = { services, userDataDir, nextOpen: null, nextSave: null, calls: [], page };
  await page.exposeBinding('__oniriqueHost', async (_source, method: string, rawArgs: unknown) => {
    const args = decodeBinary(rawArgs) as unknown[];
    h.calls.push(method);
    const result = await dispatch(h, method, args);
    return encodeBinary(result);
  });
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  // What app:// does in Electron: model files come from this harness's own cache folder.
  await page.route('**/models/**', async (route) => {
    const path = modelFileForUrlPath(userDataDir, new URL(route.request().url()).pathname);
    if (!path) return route.fulfill({ status: 404 });
    try {
      return await route.fulfill({ status: 200, body: await readFile(path), headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } });
    } catch {
      return route.fulfill({ status: 404 });
    }
  });
  await page.goto('/');
  return h;
}

const installs = new Map<string, AbortController>();

async function dispatch(h: Harness, method: string, args: unknown[]): Promise<unknown> {
  const s = h.services;
  switch (method) {
    case 'openDialog': {
      const p = h.nextOpen;
      h.nextOpen = null;
      return p === null ? null : s.openPath(p);
    }
    case 'openBytes':
      return s.openBytes(args[0], args[1]);
    case 'openRecent':
      return s.openRecent(args[0]);
    case 'recentList':
      return s.recentList();
    case 'exportImage': {
      const p = h.nextSave;
      h.nextSave = null;
      return p === null ? null : s.exportTo(p, args[0]);
    }
    case 'exportBytes': {
      const p = h.nextSave;
      h.nextSave = null;
      return p === null ? null : s.exportBytesTo(p, args[0]);
    }
    case 'getSettings':
      return s.getSettings();
    case 'setSettings':
      return s.setSettings(args[0]);
    case 'saveRecovery':
      return s.saveRecovery(args[0], args[1]);
    case 'takeRecovery':
      return s.takeRecovery();
    case 'clearRecovery':
      return s.clearRecovery();
    case 'installModel': {
      const controller = new AbortController();
      installs.set(String(args[0]), controller);
      const emit = (p: unknown) =>
        void h.page.evaluate((p) => (window as unknown as { __oniriqueEmit?: (c: string, x: unknown) => void }).__oniriqueEmit?.('install-progress', p), p);
      try {
        return await s.installModel(args[0], { onProgress: emit, signal: controller.signal });
      } finally {
        installs.delete(String(args[0]));
      }
    }
    case 'cancelInstall':
      installs.get(String(args[0]))?.abort();
      return null;
    case 'importModel': {
      const dir = h.nextOpen;
      h.nextOpen = null;
      return dir === null ? null : s.importModelFrom(dir);
    }
    case 'setDocumentEdited':
    case 'setProgress':
      return null;
    default:
      return dispatchModels(h, method, args);
  }
}

async function dispatchModels(h: Harness, method: string, args: unknown[]): Promise<unknown> {
  const s = h.services as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>;
  const fn = s[method];
  if (typeof fn !== 'function') throw new Error(`harness: host method ${method} is not wired`);
  return fn.apply(h.services, args);
}
