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
import { HostServices } from '../src/services/host-services';
import { modelFileForUrlPath } from '../src/services/model-files';
import type { ModelStoreOptions } from '../src/services/model-store';
import { safeJoin } from '../src/web-server/http';
import { decodeBinary, encodeBinary } from '../src/host/binary-json';
import { bindingEvent, type BindingHandlers } from '../src/host/binding-host';
import { hostTable, isWireMethod } from '../src/host/host-contract';

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
    if (!isWireMethod(method)) throw new Error(`harness: host method ${method} is not wired`);
    return encodeBinary(await harnessHandlers[method](h, args));
  });
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  // The table's modelsChanged event: the page hears of installs, imports and removals, the CLI's included.
  const stopWatching = services.onModelsChanged(() => emitEvent(page, bindingEvent(hostTable.onModelsChanged.channel), null));
  page.once('close', stopWatching);
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

/** Takes the dialog answer the test set (once): the path the user "chose", or null for Cancel. */
function chosen(h: Harness, which: 'nextOpen' | 'nextSave'): string | null {
  const p = h[which];
  h[which] = null;
  return p;
}

/** Pushes an event to the page's binding host (ignored when the page is gone). */
function emitEvent(page: Page, event: string, payload: unknown): void {
  page.evaluate(([e, x]) => (window as unknown as { __oniriqueEmit?: (c: string, x: unknown) => void }).__oniriqueEmit?.(e, x), [event, payload] as const).catch(() => undefined);
}

/** Progress of an install, pushed to the page's binding host as the table's progress event. */
function emitProgress(h: Harness, p: unknown): void {
  emitEvent(h.page, bindingEvent(hostTable.installModel.progress), p);
}

/** One handler per host-table method that crosses the binding: the real services, dialogs answered by the test. */
export const harnessHandlers: BindingHandlers<Harness> = {
  openDialog: (h) => {
    const p = chosen(h, 'nextOpen');
    return p === null ? null : h.services.openPath(p);
  },
  openBytes: (h, [name, bytes]) => h.services.openBytes(name, bytes),
  openRecent: (h, [id]) => h.services.openRecent(id),
  fullImage: (h, [docId]) => h.services.fullImage(docId),
  recentList: (h) => h.services.recentList(),
  exportImage: (h, [req]) => {
    const p = chosen(h, 'nextSave');
    return p === null ? null : h.services.exportTo(p, req);
  },
  exportBytes: (h, [req]) => {
    const p = chosen(h, 'nextSave');
    return p === null ? null : h.services.exportBytesTo(p, req);
  },
  exportAnimation: (h, [req]) => {
    const p = chosen(h, 'nextSave');
    return p === null ? null : h.services.exportAnimationTo(p, req);
  },
  getSettings: (h) => h.services.getSettings(),
  setSettings: (h, [patch]) => h.services.setSettings(patch),
  listModels: (h) => h.services.listModels(),
  installModel: async (h, [id]) => {
    const controller = new AbortController();
    installs.set(String(id), controller);
    try {
      return await h.services.installModel(id, { onProgress: (p) => emitProgress(h, p), signal: controller.signal });
    } finally {
      installs.delete(String(id));
    }
  },
  cancelInstall: (_h, [id]) => {
    installs.get(String(id))?.abort();
  },
  saveTrainedModel: (h, [req]) => h.services.saveTrainedModel(req),
  importModel: (h) => {
    const dir = chosen(h, 'nextOpen');
    return dir === null ? null : h.services.importModelFrom(dir);
  },
  saveRecovery: (h, [image, info]) => h.services.saveRecovery(image, info),
  saveRecoveryTiles: (h, [update, info]) => h.services.saveRecoveryTiles(update, info),
  takeRecovery: (h) => h.services.takeRecovery(),
  clearRecovery: (h) => h.services.clearRecovery(),
  // The shell's title mark and taskbar progress have no counterpart in a browser page.
  setDocumentEdited: () => undefined,
  setProgress: () => undefined,
};
