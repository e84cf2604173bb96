/**
 * The real Electron main (src/electron/main.ts and the modules it wires) against a fake Electron:
 * the hardened window, refused navigation and window.open, denied permissions, the privileged
 * app:// scheme, single-instance behaviour and files handed over by the OS.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { app, dialog, fakeEvent, FakeBrowserWindow, ipcMain, Menu, protocol, resetElectronMock, session, shell } from './electron-mock';
import { IpcChannel, type HostResult, type OpenedDocument } from '../../src/host/host-contract';
import { HostServices } from '../../src/services/host-services';
import { contentSecurityPolicy } from '../../src/electron/security';
import { createMainWindow } from '../../src/electron/window';

vi.mock('electron', () => import('./electron-mock'));

const electronDir = resolve(import.meta.dirname, '..', '..', 'src', 'electron');
const APP_PAGE = 'app://onirique/index.html';
let userData: string;
let main: () => Promise<void>;
/** What importing the entry did, recorded before the first reset. */
const onImport = { schemeRegistered: false, schemeBeforeReady: false, lockRequested: false };
const savedArgv = process.argv;

beforeAll(async () => {
  userData = await realpath(await mkdtemp(join(tmpdir(), 'onirique-main-')));
  resetElectronMock();
  app.setPath('userData', userData);
  // The import-time run stops at whenReady so it cannot race the tests' own runs.
  app.whenReady.mockReturnValueOnce(new Promise<void>(() => {}));
  ({ main } = await import('../../src/electron/main'));
  const register = protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0];
  const ready = app.whenReady.mock.invocationCallOrder[0];
  onImport.schemeRegistered = register !== undefined;
  onImport.schemeBeforeReady = register !== undefined && ready !== undefined && register < ready;
  onImport.lockRequested = app.requestSingleInstanceLock.mock.calls.length === 1;
});

afterAll(async () => {
  await rm(userData, { recursive: true, force: true });
});

beforeEach(() => {
  resetElectronMock();
  app.setPath('userData', userData);
  delete process.env.ONIRIQUE_DEV_URL;
  process.argv = ['electron', '.'];
});

afterEach(() => {
  process.argv = savedArgv;
  delete process.env.ONIRIQUE_DEV_URL;
});

/** Runs main() to the end and returns its one window. */
async function launch(): Promise<FakeBrowserWindow> {
  await main();
  expect(FakeBrowserWindow.instances).toHaveLength(1);
  return FakeBrowserWindow.instances[0]!;
}

function openedOk(path: string): HostResult<OpenedDocument> {
  const image = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  return { ok: true, value: { docId: `doc:${path}`, name: path, format: 'png', storedWidth: 1, storedHeight: 1, orientation: 1, image } };
}

describe('the entry point', () => {
  it('runs main() on import: registers app:// before ready and asks for the single-instance lock', () => {
    expect(onImport.schemeRegistered).toBe(true);
    expect(onImport.schemeBeforeReady).toBe(true);
    expect(onImport.lockRequested).toBe(true);
  });

  it('registers app:// as privileged with the standard, secure, fetch, stream and code-cache flags', async () => {
    await launch();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    expect(protocol.registerSchemesAsPrivileged.mock.calls[0]![0]).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
    ]);
    expect(protocol.handlers.has('app')).toBe(true);
  });

  it('wires IPC and the menu to the window and quits when it closes', async () => {
    await launch();
    expect(ipcMain.handlers.has(IpcChannel.openDialog)).toBe(true);
    expect(Menu.setApplicationMenu).toHaveBeenCalledTimes(1);
    expect(app.quit).not.toHaveBeenCalled();
    app.emit('window-all-closed');
    expect(app.quit).toHaveBeenCalledTimes(1);
  });
});

describe('the window', () => {
  it('is created hidden with the hardened webPreferences and the preload beside main', async () => {
    const win = await launch();
    expect(win.options).toMatchObject({
      show: false,
      webPreferences: {
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
        preload: join(electronDir, 'preload.cjs'),
      },
    });
    expect(win.options.webPreferences).not.toHaveProperty('enableRemoteModule');
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledTimes(1);
  });

  it('loads the app page from app://', async () => {
    const win = await launch();
    expect(win.loadURL.mock.calls).toEqual([[APP_PAGE]]);
  });

  it('refuses navigation to any other origin', async () => {
    const win = await launch();
    for (const url of ['https://evil.example/', 'http://127.0.0.1:5173/', 'file:///etc/passwd', 'app://evil/index.html', 'app://u:p@onirique/', 'javascript:alert(1)']) {
      const e = fakeEvent();
      win.webContents.emit('will-navigate', e, url);
      expect(e.defaultPrevented, url).toBe(true);
    }
    const own = fakeEvent();
    win.webContents.emit('will-navigate', own, `${APP_PAGE}#help`);
    expect(own.defaultPrevented).toBe(false);
  });

  it('denies every window.open and hands the browser only links the app offers (none today)', async () => {
    const win = await launch();
    const open = win.webContents.windowOpenHandler;
    if (!open) throw new Error('main installed no window open handler');
    for (const url of [APP_PAGE, 'http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://u:p@example.com/']) {
      expect(open({ url }), url).toEqual({ action: 'deny' });
    }
    // A plain https link the app does not offer (a hostile page's window.open) opens nothing either.
    expect(open({ url: 'https://github.com/x' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('loads and allows the dev server only when unpackaged', async () => {
    process.env.ONIRIQUE_DEV_URL = 'http://127.0.0.1:5173/';
    const dev = await launch();
    expect(dev.loadURL.mock.calls).toEqual([['http://127.0.0.1:5173/']]);
    const e = fakeEvent();
    dev.webContents.emit('will-navigate', e, 'http://127.0.0.1:5173/index.html');
    expect(e.defaultPrevented).toBe(false);

    resetElectronMock();
    app.setPath('userData', userData);
    app.isPackaged = true;
    const packaged = await launch();
    expect(packaged.loadURL.mock.calls).toEqual([[APP_PAGE]]);
    const p = fakeEvent();
    packaged.webContents.emit('will-navigate', p, 'http://127.0.0.1:5173/index.html');
    expect(p.defaultPrevented).toBe(true);
  });

  it('asks before closing with unsaved edits and stays open on Cancel', () => {
    const state = { edited: false };
    const win = createMainWindow(state, null, '/preload.cjs');
    const closed = vi.fn();
    win.on('closed', closed);
    win.close();
    expect(dialog.showMessageBoxSync).not.toHaveBeenCalled();
    expect(closed).toHaveBeenCalledTimes(1);

    state.edited = true;
    dialog.showMessageBoxSync.mockReturnValueOnce(0);
    win.close();
    expect(dialog.showMessageBoxSync).toHaveBeenCalledTimes(1);
    expect(closed).toHaveBeenCalledTimes(1);
    dialog.showMessageBoxSync.mockReturnValueOnce(1);
    win.close();
    expect(closed).toHaveBeenCalledTimes(2);
  });

  it('the close prompt offers Save, Don’t save and Cancel; Save exports through the renderer, then closes', () => {
    const state = { edited: true };
    const win = createMainWindow(state, null, '/preload.cjs');
    const closed = vi.fn();
    win.on('closed', closed);

    // Cancel (also what Esc answers): the window stays, nothing is sent.
    dialog.showMessageBoxSync.mockReturnValueOnce(2);
    win.close();
    const [, options] = dialog.showMessageBoxSync.mock.calls[0] as [unknown, { buttons: string[]; cancelId: number; defaultId: number }];
    expect(options.buttons).toEqual(['Save…', 'Don’t save', 'Cancel']);
    expect(options.cancelId).toBe(2);
    expect(options.defaultId).toBe(0);
    expect(closed).not.toHaveBeenCalled();
    expect(win.webContents.send).not.toHaveBeenCalled();

    // Save: the window stays while the renderer runs the export flow.
    dialog.showMessageBoxSync.mockReturnValueOnce(0);
    win.close();
    expect(closed).not.toHaveBeenCalled();
    expect(win.webContents.send).toHaveBeenCalledTimes(1);
    expect(win.webContents.send).toHaveBeenCalledWith(IpcChannel.menuCommand, 'save-and-close');

    // The export written, the renderer reports the document saved and closes: no second question.
    state.edited = false;
    win.close();
    expect(dialog.showMessageBoxSync).toHaveBeenCalledTimes(2);
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('Don’t save closes the window with its edits', () => {
    const win = createMainWindow({ edited: true }, null, '/preload.cjs');
    const closed = vi.fn();
    win.on('closed', closed);
    dialog.showMessageBoxSync.mockReturnValueOnce(1);
    win.close();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(win.webContents.send).not.toHaveBeenCalled();
  });
});

describe('permissions', () => {
  const denied = ['media', 'geolocation', 'notifications', 'midi', 'midiSysex', 'pointerLock', 'openExternal', 'clipboard-read', 'hid', 'serial', 'usb', 'idle-detection'];

  it('the request handler denies everything but clipboard writing and fullscreen for the app page', async () => {
    await launch();
    const request = session.defaultSession.permissionRequestHandler;
    if (!request) throw new Error('main installed no permission request handler');
    const ask = (permission: string, requestingUrl: string) => {
      const callback = vi.fn();
      request({}, permission, callback, { requestingUrl });
      expect(callback, permission).toHaveBeenCalledTimes(1);
      return callback.mock.calls[0]![0];
    };
    for (const p of denied) expect(ask(p, APP_PAGE), p).toBe(false);
    expect(ask('clipboard-sanitized-write', APP_PAGE)).toBe(true);
    expect(ask('fullscreen', APP_PAGE)).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
  });

  it('the check handler denies the same permissions (Electron would otherwise answer granted)', async () => {
    await launch();
    const check = session.defaultSession.permissionCheckHandler;
    if (!check) throw new Error('main installed no permission check handler');
    for (const p of denied) expect(check({}, p, 'app://onirique', { requestingUrl: APP_PAGE }), p).toBe(false);
    expect(check({}, 'clipboard-sanitized-write', 'app://onirique', { requestingUrl: APP_PAGE })).toBe(true);
    expect(check({}, 'fullscreen', 'app://onirique', {})).toBe(true);
    expect(check({}, 'clipboard-sanitized-write', 'https://evil.example', { requestingUrl: 'https://evil.example/' })).toBe(false);
  });
});

describe('app:// as wired by main', () => {
  it('serves the model cache of the user data folder with the app CSP and isolation headers', async () => {
    await mkdir(join(userData, 'models', 'mobilenet'), { recursive: true });
    await writeFile(join(userData, 'models', 'mobilenet', 'model.json'), '{}');
    await launch();
    const handle = protocol.handlers.get('app');
    if (!handle) throw new Error('main installed no app:// handler');
    const res = await handle(new Request('app://onirique/models/mobilenet/model.json'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{}');
    expect(res.headers.get('Content-Security-Policy')).toBe(contentSecurityPolicy());
    expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(res.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect((await handle(new Request('app://onirique/models/mobilenet/..%2f..%2fsettings.json'))).status).toBe(404);
  });
});

describe('single instance', () => {
  it('a second copy quits at once without opening a window or serving app://', async () => {
    app.requestSingleInstanceLock.mockReturnValueOnce(false);
    await main();
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(protocol.handle).not.toHaveBeenCalled();
    expect(session.defaultSession.permissionRequestHandler).toBeNull();
  });

  it('the first copy keeps running and, on a second launch, restores, focuses and opens its image argument', async () => {
    const openPath = vi.spyOn(HostServices.prototype, 'openPath').mockImplementation(async (p) => openedOk(p));
    const win = await launch();
    expect(app.quit).not.toHaveBeenCalled();
    win.isMinimized.mockReturnValue(true);
    app.emit('second-instance', fakeEvent(), ['onirique', '--flag', 'notes.txt', 'photo.png', 'other.jpg'], '/home/me');
    await vi.waitFor(() => expect(win.webContents.send).toHaveBeenCalled());
    expect(win.restore).toHaveBeenCalledTimes(1);
    expect(win.focus).toHaveBeenCalledTimes(1);
    // One document at a time: the first image wins.
    expect(openPath.mock.calls).toEqual([[resolve('/home/me', 'photo.png')]]);
    expect(win.webContents.send.mock.calls).toEqual([[IpcChannel.openDocument, openedOk(resolve('/home/me', 'photo.png'))]]);
    expect(app.addRecentDocument.mock.calls).toEqual([[resolve('/home/me', 'photo.png')]]);
  });
});

describe('files handed over by the OS', () => {
  it('queues macOS open-file until the page has loaded, then opens it', async () => {
    const openPath = vi.spyOn(HostServices.prototype, 'openPath').mockImplementation(async (p) => openedOk(p));
    const early = fakeEvent();
    const run = main();
    app.emit('open-file', early, '/photos/early.png');
    expect(early.defaultPrevented).toBe(true);
    const win = (await run, FakeBrowserWindow.instances[0]!);
    expect(openPath).not.toHaveBeenCalled();
    win.webContents.emit('did-finish-load');
    await vi.waitFor(() => expect(win.webContents.send).toHaveBeenCalledTimes(1));
    expect(openPath.mock.calls).toEqual([['/photos/early.png']]);

    app.emit('open-file', fakeEvent(), '/photos/late.png');
    await vi.waitFor(() => expect(win.webContents.send).toHaveBeenCalledTimes(2));
    expect(openPath.mock.calls.at(-1)).toEqual(['/photos/late.png']);
  });

  it('opens the image named on the first launch command line once loaded, without adding a failure to recents', async () => {
    process.argv = ['onirique', 'missing.png'];
    const win = await launch();
    win.webContents.emit('did-finish-load');
    await vi.waitFor(() => expect(win.webContents.send).toHaveBeenCalledTimes(1));
    const [channel, result] = win.webContents.send.mock.calls[0]!;
    expect(channel).toBe(IpcChannel.openDocument);
    expect(result).toEqual({ ok: false, error: '“missing.png” no longer exists.' });
    expect(app.addRecentDocument).not.toHaveBeenCalled();
  });
});
