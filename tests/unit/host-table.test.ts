/**
 * The host table is the one declaration of the host API: every row has its preload entry, its IPC
 * handler, its browser-host method, its web route (or is served by the page) and its e2e handler;
 * the IPC handlers refuse foreign senders and bad arguments, row by row.
 */
import type { BrowserWindow } from 'electron';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { contextBridge, dialog, FakeBrowserWindow, ipcMain, ipcRenderer, resetElectronMock } from './electron-mock';
import { defaultSettings, hasMode, hostMethods, hostTable, IpcChannel, matchRoute, routeUrl, type HostApi, type HostMethod, type WireMethod } from '../../src/host/host-contract';
import { createBindingHost } from '../../src/host/binding-host';
import { createWebHost } from '../../src/host/web-host';
import { setupIpc, type WindowState } from '../../src/electron/ipc';
import { HostServices } from '../../src/services/host-services';
import { startWebServer, webApi, webRoutes } from '../../src/web-server/web-server';
import { webMethods } from '../../src/web-server/web-api';
import { harnessHandlers } from '../../e2e/harness';

vi.mock('electron', () => import('./electron-mock'));

type Fn = (...args: unknown[]) => unknown;
/** A HostApi's methods called by name with untyped arguments, as the table-driven checks do. */
const byName = (api: unknown) => api as Record<string, Fn>;

const APP_PAGE = 'app://onirique/index.html';
const wire = hostMethods.filter((m): m is WireMethod => hasMode(m, 'invoke', 'send'));
const channelsOf = (mode: 'invoke' | 'send') => hostMethods.filter((m) => hasMode(m, mode)).map((m) => hostTable[m].channel).sort();
const sampleArgs = (name: HostMethod): string[] => {
  const row = hostTable[name];
  return row.mode === 'event' ? [] : row.params.map((p) => `${p}-value`);
};

let userData: string;
let preloadApi: unknown;
beforeAll(async () => {
  userData = await mkdtemp(join(tmpdir(), 'onirique-host-table-'));
  resetElectronMock();
  await import('../../src/electron/preload');
  preloadApi = contextBridge.exposed.get('onirique');
});
afterAll(() => rm(userData, { recursive: true, force: true }));

describe('the table', () => {
  it('keeps the IPC channel names the app has always used', () => {
    expect(IpcChannel).toMatchObject({
      openDialog: 'onirique:open-dialog', openBytes: 'onirique:open-bytes', openRecent: 'onirique:open-recent', fullImage: 'onirique:full-image',
      recentList: 'onirique:recent-list', exportImage: 'onirique:export-image', exportBytes: 'onirique:export-bytes', exportAnimation: 'onirique:export-animation', getSettings: 'onirique:get-settings',
      setSettings: 'onirique:set-settings', listModels: 'onirique:list-models', installModel: 'onirique:install-model', installProgress: 'onirique:install-progress',
      cancelInstall: 'onirique:cancel-install', importModel: 'onirique:import-model', saveTrainedModel: 'onirique:save-trained-model', saveRecovery: 'onirique:save-recovery', takeRecovery: 'onirique:take-recovery',
      clearRecovery: 'onirique:clear-recovery', setDocumentEdited: 'onirique:set-document-edited', setProgress: 'onirique:set-progress',
      openDocument: 'onirique:open-document', menuCommand: 'onirique:menu-command', modelsChanged: 'onirique:models-changed',
    });
  });

  it('gives every row a distinct channel and a web route or the page', () => {
    const channels = hostMethods.map((m) => hostTable[m].channel);
    expect(new Set(channels).size).toBe(channels.length);
    for (const m of hostMethods) expect(hostTable[m].web === 'page' || /^api\/[A-Za-z:/]+$/.test(hostTable[m].web.path), m).toBe(true);
    expect(webMethods).toEqual(['openBytes', 'fullImage', 'exportImage', 'exportAnimation', 'listModels', 'installModel', 'saveTrainedModel']);
  });
});

describe('the preload bridge', () => {
  it('exposes exactly the table methods on window.onirique', () => {
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect([...contextBridge.exposed.keys()]).toEqual(['onirique']);
    expect(Object.keys(byName(preloadApi)).sort()).toEqual(['kind', ...hostMethods].sort());
    expect((preloadApi as HostApi).kind).toBe('electron');
  });

  it.each(hostMethods)('%s goes over its channel with exactly its declared arguments', async (name) => {
    const row = hostTable[name];
    ipcRenderer.invoke.mockClear();
    ipcRenderer.send.mockClear();
    const args = sampleArgs(name);
    if (row.mode === 'event') {
      const handler = vi.fn();
      byName(preloadApi)[name]!(handler);
      ipcRenderer.emit(row.channel, {}, 'payload');
      expect(handler).toHaveBeenCalledWith('payload');
      return;
    }
    // An extra argument (HostCallOptions, or anything a page adds) never crosses.
    await byName(preloadApi)[name]!(...args, { extra: true });
    const used = row.mode === 'invoke' ? ipcRenderer.invoke : ipcRenderer.send;
    const other = row.mode === 'invoke' ? ipcRenderer.send : ipcRenderer.invoke;
    expect(used.mock.calls).toEqual([[row.channel, ...args]]);
    expect(other).not.toHaveBeenCalled();
  });

  it('reports the progress of its own install only, and stops listening afterwards', async () => {
    const progress = { done: 1, total: 2, label: 'model.json' };
    ipcRenderer.invoke.mockImplementationOnce(async () => {
      ipcRenderer.emit(IpcChannel.installProgress, {}, { id: 'other', progress: { ...progress, done: 9 } });
      ipcRenderer.emit(IpcChannel.installProgress, {}, { id: 'mobilenet', progress });
      return { ok: true };
    });
    const onProgress = vi.fn();
    await expect((preloadApi as HostApi).installModel('mobilenet', { onProgress })).resolves.toEqual({ ok: true });
    expect(onProgress.mock.calls).toEqual([[progress]]);
    expect(ipcRenderer.listenerCount(IpcChannel.installProgress)).toBe(0);
  });
});

describe('the other implementations', () => {
  it('the browser host, the binding host and the e2e harness cover every row', () => {
    expect(Object.keys(createWebHost()).sort()).toEqual(['kind', ...hostMethods].sort());
    vi.stubGlobal('window', {});
    try {
      expect(Object.keys(createBindingHost(async () => null)).sort()).toEqual(['kind', ...hostMethods].sort());
    } finally {
      vi.unstubAllGlobals();
    }
    expect(Object.keys(harnessHandlers).sort()).toEqual([...wire].sort());
  });

  it('the binding host sends the method name with its declared arguments, and forwards install progress', async () => {
    const win: Record<string, unknown> = {};
    vi.stubGlobal('window', win);
    try {
      const binding = vi.fn(async (_method: string, _args: unknown) => ({ ok: true }));
      const host = createBindingHost(binding);
      for (const name of wire) await byName(host)[name]!(...sampleArgs(name), 'extra');
      expect(binding.mock.calls).toEqual(wire.map((name) => [name, sampleArgs(name)]));
      const onProgress = vi.fn();
      await host.installModel('mobilenet', { onProgress });
      const emit = win.__oniriqueEmit as (channel: string, payload: unknown) => void;
      emit('install-progress', { done: 1, total: 1, label: 'x' });
      expect(onProgress).toHaveBeenCalledWith({ done: 1, total: 1, label: 'x' });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('the browser host fetches each routed method from its table route, which the server answers', async () => {
    const services = new HostServices(join(userData, 'web'));
    await services.init();
    expect(Object.keys(webApi(services)).sort()).toEqual([...webMethods].sort());
    const fetched: { url: string; verb: string }[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      fetched.push({ url, verb: init?.method ?? 'GET' });
      return new Response(JSON.stringify({ ok: false, error: 'stub' }), { status: 422 });
    });
    const host = createWebHost();
    try {
      await host.openBytes('a b.png', new Uint8Array([1, 2, 3]));
      await host.fullImage('doc 1');
      await host.exportImage({ image: { width: 1, height: 1, data: new Uint8ClampedArray(4) }, format: 'png', suggestedName: 'a.png' });
      await host.exportAnimation({ frames: [{ width: 1, height: 1, data: new Uint8ClampedArray(4) }], delayMs: 100, format: 'webp', suggestedName: 'a.webp' });
      await host.listModels();
      await host.installModel('mobile net');
      await host.saveTrainedModel({ name: 'm', files: [{ name: 'model.json', bytes: new Uint8Array([123, 125]) }] });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fetched).toEqual([
      { url: `${routeUrl(hostTable.openBytes.web, {})}?name=a%20b.png`, verb: 'POST' },
      { url: routeUrl(hostTable.fullImage.web, { docId: 'doc 1' }), verb: 'GET' },
      { url: 'api/export', verb: 'POST' },
      { url: 'api/export/animation', verb: 'POST' },
      { url: 'api/models', verb: 'GET' },
      { url: 'api/models/mobile%20net/install', verb: 'POST' },
      { url: 'api/models/trained', verb: 'POST' },
    ]);
    expect(matchRoute(hostTable.fullImage.web, `/${fetched[1]!.url}`)).toEqual({ docId: 'doc 1' });
    const { server, url } = await startWebServer({ root: userData, port: 0, routes: webRoutes(services) });
    try {
      for (const [i, name] of webMethods.entries()) {
        const r = await fetch(new URL(fetched[i]!.url, url), { method: fetched[i]!.verb, body: fetched[i]!.verb === 'POST' ? 'x' : undefined });
        expect(r.headers.get('content-type'), name).toBe('application/json');
        expect(r.status, name).not.toBe(404);
      }
      const crossSite = await fetch(new URL(fetched[5]!.url, url), { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } });
      expect(crossSite.status).toBe(403);
    } finally {
      await new Promise((ok) => (server as Server).close(ok));
    }
  });
});

describe('the IPC handlers', () => {
  let win: FakeBrowserWindow;
  let services: HostServices;
  let state: WindowState;
  const trusted = () => ({ sender: win.webContents, senderFrame: { url: APP_PAGE } });

  beforeEach(async () => {
    resetElectronMock();
    win = new FakeBrowserWindow();
    services = new HostServices(await mkdtemp(join(userData, 'ipc-')));
    await services.init();
    state = { edited: false };
    // The fake stands in for the parts of BrowserWindow that ipc.ts uses.
    setupIpc(win as unknown as BrowserWindow, services, state, null);
  });

  it('are registered on exactly the table channels, invoke rows with handle and send rows with on', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(channelsOf('invoke'));
    expect(ipcMain.eventNames().map(String).sort()).toEqual(channelsOf('send'));
    for (const c of channelsOf('send')) expect(ipcMain.listenerCount(c)).toBe(1);
  });

  it('answer the app page', async () => {
    await expect(ipcMain.invoke(IpcChannel.getSettings, trusted())).resolves.toEqual(defaultSettings);
    ipcMain.emit(IpcChannel.setProgress, trusted(), 0.5);
    expect(win.setProgressBar).toHaveBeenCalledWith(0.5);
  });

  const foreign = {
    'a foreign page in the window': () => ({ sender: win.webContents, senderFrame: { url: 'https://evil.example/' } }),
    'a file:// page in the window': () => ({ sender: win.webContents, senderFrame: { url: 'file:///tmp/x.html' } }),
    'another window showing the app': () => ({ sender: new FakeBrowserWindow().webContents, senderFrame: { url: APP_PAGE } }),
    'a frame already gone': () => ({ sender: win.webContents, senderFrame: null }),
  };
  describe.each(Object.entries(foreign))('refuse %s', (_what, event) => {
    it.each(wire)('%s', async (name) => {
      const row = hostTable[name];
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      const openPath = vi.spyOn(services, 'openPath');
      try {
        if (row.mode === 'invoke') await expect(ipcMain.invoke(row.channel, event(), ...sampleArgs(name))).rejects.toThrow(/^IPC refused from /);
        else {
          ipcMain.emit(row.channel, event(), ...sampleArgs(name));
          expect(error).toHaveBeenCalledWith(expect.stringMatching(/IPC refused from /));
        }
        expect(dialog.showOpenDialog).not.toHaveBeenCalled();
        expect(dialog.showSaveDialog).not.toHaveBeenCalled();
        expect(openPath).not.toHaveBeenCalled();
        expect(win.setTitle).not.toHaveBeenCalled();
        expect(win.setProgressBar).not.toHaveBeenCalled();
        expect(win.setDocumentEdited).not.toHaveBeenCalled();
      } finally {
        error.mockRestore();
      }
    });
  });

  const image = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  const exportReq = { image, format: 'png', suggestedName: 'out.png' };
  const notOk = (r: unknown) => expect(r).toMatchObject({ ok: false });
  /** Per row: arguments a hostile or buggy page might send, and what must happen instead of obeying them. */
  type BadCall = { args: unknown[]; rejects?: RegExp; check?: (result: unknown) => void | Promise<void> };
  const badCalls: { [K in WireMethod]: BadCall[] } = {
    openDialog: [{ args: ['/etc/passwd'], check: (r) => (expect(r).toBeNull(), expect(dialog.showOpenDialog).toHaveBeenCalledTimes(1)) }],
    openBytes: [{ args: [42, 'bytes'], check: notOk }, { args: ['a.png', '/etc/passwd'], check: notOk }, { args: ['a.png', new Uint8Array([1, 2, 3])], check: notOk }],
    openRecent: [{ args: [42], check: notOk }, { args: ['../../etc/passwd'], check: notOk }],
    fullImage: [{ args: [{}], check: notOk }, { args: ['/etc/passwd'], check: notOk }],
    recentList: [{ args: ['/etc'], check: (r) => expect(r).toEqual([]) }],
    exportImage: [
      { args: [null], rejects: /must be an object/ },
      { args: [{ ...exportReq, format: 'exe' }], rejects: /format is invalid/ },
      { args: [{ ...exportReq, suggestedName: '../../evil.png' }], rejects: /File name is invalid/ },
      { args: [{ ...exportReq, image: { width: 2, height: 2, data: new Uint8Array(4) } }], rejects: /pixels do not match/ },
      { args: [exportReq, '/tmp/evil.png'], check: (r) => (expect(r).toBeNull(), expect(dialog.showSaveDialog.mock.calls[0]?.[1]).toMatchObject({ defaultPath: 'out.png' })) },
    ],
    exportBytes: [
      { args: [{ bytes: 'x', kind: 'csv', suggestedName: 'a.csv' }], rejects: /byte array/ },
      { args: [{ bytes: new Uint8Array([65]), kind: 'exe', suggestedName: 'a.exe' }], rejects: /kind must be/ },
      { args: [{ bytes: new Uint8Array([65]), kind: 'csv', suggestedName: '/etc/passwd' }], rejects: /File name is invalid/ },
      { args: [{ bytes: new Uint8Array([65]), kind: 'npy', suggestedName: 'a.npy' }], rejects: /NumPy magic/ },
    ],
    exportAnimation: [
      { args: [null], rejects: /must be an object/ },
      { args: [{ frames: [], delayMs: 100, format: 'webp', suggestedName: 'z.webp' }], rejects: /1 to 10000 frames/ },
      { args: [{ frames: [image, { width: 2, height: 1, data: new Uint8ClampedArray(8) }], delayMs: 100, format: 'webp', suggestedName: 'z.webp' }], rejects: /same size/ },
      { args: [{ frames: [image], delayMs: 100, format: 'exe', suggestedName: 'z.exe' }], rejects: /format is invalid/ },
      { args: [{ frames: [image], delayMs: 100, format: 'gif', suggestedName: '../../z.gif' }], rejects: /File name is invalid/ },
    ],
    getSettings: [{ args: ['x'], check: (r) => expect(r).toEqual(defaultSettings) }],
    setSettings: [{ args: [null], rejects: /must be an object/ }, { args: [{ locale: 'xx' }], rejects: /Invalid setting/ }, { args: [{ userDataDir: '/' }], rejects: /Invalid setting/ }],
    listModels: [{ args: ['/etc'], check: (r) => expect(Array.isArray(r)).toBe(true) }],
    installModel: [{ args: [42], rejects: /Model id must be a string/ }, { args: ['../../etc'], check: notOk }],
    cancelInstall: [{ args: [42] }, { args: [{ id: 'x' }] }],
    saveTrainedModel: [
      { args: ['/some/dir'], check: notOk },
      { args: [{ name: 'x', files: [{ name: '../model.json', bytes: new Uint8Array([123, 125]) }] }], check: notOk },
      { args: [{ name: 'x', files: [{ name: 'model.json', bytes: '/etc/passwd' }] }], check: notOk },
      { args: [{ name: '', files: [] }], check: notOk },
    ],
    importModel: [{ args: ['/some/dir'], check: (r) => (expect(r).toBeNull(), expect(dialog.showOpenDialog).toHaveBeenCalledTimes(1)) }],
    saveRecovery: [{ args: [{ width: 1, height: 1, data: new Uint8Array(3) }, {}], rejects: /pixels do not match/ }, { args: ['/etc/passwd', {}], rejects: /must be an object/ }],
    saveRecoveryTiles: [
      { args: ['/etc/passwd', {}], rejects: /must name a base/ },
      { args: [{ base: 'x', width: 4, height: 4, tiles: [{ x: 3, y: 0, w: 2, h: 1, data: new Uint8Array(8) }] }, {}], rejects: /outside the image/ },
      { args: [{ base: 'not-stored', width: 1, height: 1, tiles: [{ x: 0, y: 0, w: 1, h: 1, data: new Uint8Array(4) }] }, {}], check: (r) => expect(r).toBeNull() },
    ],
    takeRecovery: [{ args: ['/etc/passwd'], check: (r) => expect(r).toBeNull() }],
    clearRecovery: [{ args: ['/etc/passwd'], check: (r) => expect(r).toBeUndefined() }],
    setDocumentEdited: [{ args: ['yes', 42], check: () => (expect(state.edited).toBe(false), expect(win.setDocumentEdited).toHaveBeenCalledWith(false), expect(win.setTitle).not.toHaveBeenCalled()) }],
    setProgress: [2, -0.5, '0.5', null].map((f) => ({ args: [f], check: () => expect(win.setProgressBar).toHaveBeenLastCalledWith(-1) })),
  };

  it.each(wire.flatMap((name) => badCalls[name].map((c, i) => [name, i, c] as const)))('%s refuses bad call #%i', async (name, _i, call) => {
    const row = hostTable[name];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const openPath = vi.spyOn(services, 'openPath');
    const exportTo = vi.spyOn(services, 'exportTo');
    const importFrom = vi.spyOn(services, 'importModelFrom');
    try {
      let result: unknown;
      if (row.mode === 'invoke') {
        const pending = ipcMain.invoke(row.channel, trusted(), ...call.args);
        if (call.rejects) return await expect(pending).rejects.toThrow(call.rejects);
        result = await pending;
      } else ipcMain.emit(row.channel, trusted(), ...call.args);
      await call.check?.(result);
      // No path a page sends is ever opened or written, and send rows never throw back.
      expect(openPath).not.toHaveBeenCalled();
      expect(exportTo).not.toHaveBeenCalled();
      expect(importFrom).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      error.mockRestore();
    }
    expect(await readdir(services.userDataDir)).not.toContain('passwd');
  });
});
