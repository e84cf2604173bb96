/**
 * A fake of the parts of the `electron` module the app uses, for unit tests in Node (pattern of
 * electron/fiddle's tests/mocks). Install it with `vi.mock('electron', () => import('./electron-mock'))`,
 * read the fakes back through this module's exports, and call `resetElectronMock()` in beforeEach.
 * Every method is a vi.fn() whose default does what Electron would do in the simplest case; the
 * handlers the code under test installs are recorded so a test can call them as Electron would.
 */
import { EventEmitter } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';

/** The event object Electron passes to cancellable listeners (will-navigate, close, open-file...). */
export interface FakeEvent {
  preventDefault: () => void;
  defaultPrevented: boolean;
}

/** A fresh cancellable event; `defaultPrevented` turns true once the listener calls preventDefault(). */
export function fakeEvent(): FakeEvent {
  const e: FakeEvent = {
    defaultPrevented: false,
    preventDefault: () => {
      e.defaultPrevented = true;
    },
  };
  return e;
}

/** What setWindowOpenHandler receives (the fields the app reads). */
export type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };
/** What session.setPermissionRequestHandler receives. */
export type PermissionRequestHandler = (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void;
/** What session.setPermissionCheckHandler receives. */
export type PermissionCheckHandler = (webContents: unknown, permission: string, requestingOrigin: string, details: { requestingUrl?: string }) => boolean;
/** What protocol.handle receives. */
export type ProtocolHandler = (request: Request) => Response | Promise<Response>;
/** What ipcMain.handle receives. */
export type IpcHandler = (event: unknown, ...args: unknown[]) => unknown;

/** A session: records the permission handlers installed on it. */
export class FakeSession {
  /** The handler given to setPermissionRequestHandler, null until one is set. */
  permissionRequestHandler: PermissionRequestHandler | null = null;
  /** The handler given to setPermissionCheckHandler, null until one is set. */
  permissionCheckHandler: PermissionCheckHandler | null = null;
  /** Records the request handler. */
  readonly setPermissionRequestHandler = vi.fn((h: PermissionRequestHandler | null) => {
    this.permissionRequestHandler = h;
  });
  /** Records the check handler. */
  readonly setPermissionCheckHandler = vi.fn((h: PermissionCheckHandler | null) => {
    this.permissionCheckHandler = h;
  });
}

/** A window's webContents: an EventEmitter (emit 'will-navigate', 'did-finish-load'...) that records what the app sends. */
export class FakeWebContents extends EventEmitter {
  /** The handler given to setWindowOpenHandler, null until one is set. */
  windowOpenHandler: WindowOpenHandler | null = null;
  /** The session this webContents belongs to (the default one). */
  readonly session: FakeSession = session.defaultSession;
  /** Records the window.open handler. */
  readonly setWindowOpenHandler = vi.fn((h: WindowOpenHandler) => {
    this.windowOpenHandler = h;
  });
  /** Messages sent to the renderer: inspect `send.mock.calls`. */
  readonly send = vi.fn((_channel: string, ..._args: unknown[]) => {});
  /** Never destroyed unless a test says so. */
  readonly isDestroyed = vi.fn(() => false);
  /** The URL last given to the window's loadURL. */
  readonly getURL = vi.fn(() => '');
  /** No-op. */
  readonly openDevTools = vi.fn();
}

/** A BrowserWindow: records its constructor options; every instance is kept in `FakeBrowserWindow.instances`. */
export class FakeBrowserWindow extends EventEmitter {
  /** Every window constructed since the last reset, oldest first. */
  static instances: FakeBrowserWindow[] = [];
  /** All windows not destroyed. */
  static readonly getAllWindows = vi.fn(() => FakeBrowserWindow.instances.filter((w) => !w.destroyed));
  /** The focused window: the last one created. */
  static readonly getFocusedWindow = vi.fn(() => FakeBrowserWindow.instances.at(-1) ?? null);
  /** The window owning a webContents. */
  static readonly fromWebContents = vi.fn((wc: unknown) => FakeBrowserWindow.instances.find((w) => w.webContents === wc) ?? null);

  /** The webContents of this window. */
  readonly webContents = new FakeWebContents();
  /** True once destroy() was called. */
  destroyed = false;
  /** Resolves at once; the URL is read back with `loadURL.mock.calls` or webContents.getURL(). */
  readonly loadURL = vi.fn(async (url: string) => {
    this.webContents.getURL.mockReturnValue(url);
  });
  /** Resolves at once. */
  readonly loadFile = vi.fn(async (_path: string) => {});
  /** No-op. */
  readonly show = vi.fn();
  /** No-op. */
  readonly focus = vi.fn();
  /** No-op. */
  readonly restore = vi.fn();
  /** Not minimised unless a test says so. */
  readonly isMinimized = vi.fn(() => false);
  /** Follows destroy(). */
  readonly isDestroyed = vi.fn(() => this.destroyed);
  /** Marks the window destroyed. */
  readonly destroy = vi.fn(() => {
    this.destroyed = true;
  });
  /** Emits 'close' then 'closed' unless a listener prevented it. */
  readonly close = vi.fn(() => {
    const e = fakeEvent();
    this.emit('close', e);
    if (!e.defaultPrevented) this.emit('closed');
  });
  /** No-op. */
  readonly setTitle = vi.fn((_title: string) => {});
  /** No-op. */
  readonly setDocumentEdited = vi.fn((_edited: boolean) => {});
  /** No-op. */
  readonly setProgressBar = vi.fn((_progress: number) => {});
  /** No-op. */
  readonly setMenu = vi.fn();

  /** Records `options`. */
  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
}

/** Default fake paths of app.getPath; a test may change them with app.setPath. */
const DEFAULT_PATHS: Record<string, string> = { userData: '/fake/userData', home: '/fake/home', temp: '/fake/tmp', documents: '/fake/documents' };

/** The `app` singleton: an EventEmitter (emit 'second-instance', 'open-file'...) with ready, paths and the single-instance lock. */
class FakeApp extends EventEmitter {
  /** Paths app.getPath answers. */
  paths: Record<string, string> = { ...DEFAULT_PATHS };
  /** Unpackaged (development) unless a test says so. */
  isPackaged = false;
  /** App name. */
  name = 'Onirique';
  /** Resolves at once (the app is ready). */
  readonly whenReady = vi.fn(() => Promise.resolve());
  /** Always ready. */
  readonly isReady = vi.fn(() => true);
  /** A known path, or throws like Electron for an unknown name. */
  readonly getPath = vi.fn((name: string) => {
    const p = this.paths[name];
    if (p === undefined) throw new Error(`Failed to get '${name}' path`);
    return p;
  });
  /** Overrides a path. */
  readonly setPath = vi.fn((name: string, path: string) => {
    this.paths[name] = path;
  });
  /** This is the first instance unless a test says otherwise (mockReturnValue(false)). */
  readonly requestSingleInstanceLock = vi.fn(() => true);
  /** No-op: tests assert it was called. */
  readonly quit = vi.fn();
  /** No-op: tests assert it was called. */
  readonly exit = vi.fn((_code?: number) => {});
  /** No-op. */
  readonly focus = vi.fn();
  /** Recent documents added: inspect `addRecentDocument.mock.calls`. */
  readonly addRecentDocument = vi.fn((_path: string) => {});
  /** The app name. */
  readonly getName = vi.fn(() => this.name);
  /** A fixed version. */
  readonly getVersion = vi.fn(() => '0.0.0-test');
  /** English. */
  readonly getLocale = vi.fn(() => 'en-US');
}

/** The fake `app`. */
export const app = new FakeApp();

/** The fake `session` module: only the default session. */
export const session = { defaultSession: new FakeSession() };

/** The fake `protocol`: records registered schemes and installed handlers (`protocol.handlers`). */
export const protocol = {
  /** Handlers by scheme, as installed with protocol.handle. */
  handlers: new Map<string, ProtocolHandler>(),
  /** Records the privileged schemes: inspect `registerSchemesAsPrivileged.mock.calls`. */
  registerSchemesAsPrivileged: vi.fn((_schemes: { scheme: string; privileges?: Record<string, boolean> }[]) => {}),
  /** Records a handler. */
  handle: vi.fn((scheme: string, handler: ProtocolHandler) => {
    protocol.handlers.set(scheme, handler);
  }),
  /** Removes a handler. */
  unhandle: vi.fn((scheme: string) => {
    protocol.handlers.delete(scheme);
  }),
  /** Whether a handler is installed. */
  isProtocolHandled: vi.fn((scheme: string) => protocol.handlers.has(scheme)),
};

/**
 * The fake `net`: fetch serves file:// URLs from disk (following symlinks, as Chromium does) and
 * rejects for a missing file, a folder or any other scheme, so tests never reach the network.
 */
export const net = {
  /** Reads a file:// URL into a 200 Response; rejects like Electron's net::ERR_FILE_NOT_FOUND otherwise. */
  fetch: vi.fn(async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol !== 'file:') throw new TypeError(`net::ERR_FAILED (the fake fetches file:// only): ${url.href}`);
    const path = fileURLToPath(url);
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) throw new TypeError(`net::ERR_FILE_NOT_FOUND: ${url.href}`);
    return new Response(new Uint8Array(await readFile(path)), { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
  }),
};

/** The fake `ipcMain`: an EventEmitter for ipcMain.on, plus recorded invoke handlers (`ipcMain.handlers`). */
class FakeIpcMain extends EventEmitter {
  /** Handlers by channel, as installed with ipcMain.handle. */
  readonly handlers = new Map<string, IpcHandler>();
  /** Records a handler; throws on a second one for the same channel, like Electron. */
  readonly handle = vi.fn((channel: string, handler: IpcHandler) => {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  });
  /** Removes a handler. */
  readonly removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel);
  });
  /** Calls the handler of `channel` as Electron would for a renderer's invoke; rejects when there is none. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  }
}

/** The fake `ipcMain`. */
export const ipcMain = new FakeIpcMain();

/** The fake `ipcRenderer` (preload side): an EventEmitter whose invoke/send are recorded. */
class FakeIpcRenderer extends EventEmitter {
  /** Resolves undefined; a test may mockResolvedValue. */
  readonly invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => undefined);
  /** Recorded. */
  readonly send = vi.fn((_channel: string, ..._args: unknown[]) => {});
  /** Returns undefined. */
  readonly sendSync = vi.fn((_channel: string, ..._args: unknown[]): unknown => undefined);
}

/** The fake `ipcRenderer`. */
export const ipcRenderer = new FakeIpcRenderer();

/** The fake `contextBridge`: what the preload exposed is in `contextBridge.exposed`. */
export const contextBridge = {
  /** Values exposed by key. */
  exposed: new Map<string, unknown>(),
  /** Records the value. */
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    contextBridge.exposed.set(key, api);
  }),
};

/** A menu item template as the app writes it (the fields tests read). */
export interface FakeMenuItemOptions {
  label?: string;
  role?: string;
  type?: string;
  accelerator?: string;
  click?: (...args: unknown[]) => void;
  submenu?: FakeMenuItemOptions[];
  [key: string]: unknown;
}

/** A Menu built from a template; the installed one is `Menu.applicationMenu`. */
export class Menu {
  /** The menu given to setApplicationMenu, null until then. */
  static applicationMenu: Menu | null = null;
  /** Builds a menu holding the template as is. */
  static readonly buildFromTemplate = vi.fn((template: FakeMenuItemOptions[]) => new Menu(template));
  /** Records the menu. */
  static readonly setApplicationMenu = vi.fn((menu: Menu | null) => {
    Menu.applicationMenu = menu;
  });
  /** The installed menu. */
  static readonly getApplicationMenu = vi.fn(() => Menu.applicationMenu);
  /** No-op. */
  readonly popup = vi.fn();
  /** Keeps the template. */
  constructor(readonly items: FakeMenuItemOptions[] = []) {}
}

/** The fake `dialog`: every dialog answers "Cancel" (response 0, canceled) unless a test says otherwise. */
export const dialog = {
  /** Answers button 0. */
  showMessageBoxSync: vi.fn((..._args: unknown[]) => 0),
  /** Answers button 0. */
  showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 0, checkboxChecked: false })),
  /** Canceled. */
  showOpenDialog: vi.fn(async (..._args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> => ({ canceled: true, filePaths: [] })),
  /** Canceled. */
  showSaveDialog: vi.fn(async (..._args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> => ({ canceled: true })),
  /** No-op. */
  showErrorBox: vi.fn((_title: string, _content: string) => {}),
};

/** The fake `shell`: nothing is opened; calls are recorded. */
export const shell = {
  /** Resolves at once. */
  openExternal: vi.fn(async (_url: string) => {}),
  /** Resolves to '' (success). */
  openPath: vi.fn(async (_path: string) => ''),
  /** No-op. */
  showItemInFolder: vi.fn((_path: string) => {}),
};

const emitters: EventEmitter[] = [app, ipcMain, ipcRenderer];
const sessions: FakeSession[] = [session.defaultSession];

/** Back to a fresh Electron: calls forgotten, default implementations back, listeners, handlers and windows gone. */
export function resetElectronMock(): void {
  for (const e of emitters) e.removeAllListeners();
  for (const s of sessions) {
    s.permissionRequestHandler = null;
    s.permissionCheckHandler = null;
  }
  app.paths = { ...DEFAULT_PATHS };
  app.isPackaged = false;
  protocol.handlers.clear();
  ipcMain.handlers.clear();
  contextBridge.exposed.clear();
  FakeBrowserWindow.instances = [];
  Menu.applicationMenu = null;
  // mockReset keeps each vi.fn's original implementation (Vitest 3+), so the defaults above come back.
  vi.resetAllMocks();
}

/** The fake's BrowserWindow under Electron's export name. */
export { FakeBrowserWindow as BrowserWindow };
