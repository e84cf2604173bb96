/** Electron main: thin glue that wires the Electron-free services to a hardened window. */
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN, registerAppScheme, setupAppProtocol } from './app-protocol';
import { IpcChannel } from './ipc-contract';
import { setupIpc, type WindowState } from './ipc';
import { setupMenu } from './menu';
import { HostServices } from './services/host-services';
import { modelFileForUrl } from './services/model-files';
import { contentSecurityPolicy, externalUrlToOpen, hardenedWebPreferences, imagePathsFromArgv, isAllowedNavigation, isPermissionAllowed } from './security';

registerAppScheme();

// macOS hands files over through 'open-file', possibly before the window exists: queue them until then.
const pendingPaths: string[] = [];
let openPaths: ((paths: string[]) => Promise<void>) | null = null;
app.on('open-file', (e, path) => {
  e.preventDefault();
  if (openPaths) void openPaths([path]);
  else pendingPaths.push(path);
});

// In development only, the window may load the Vite dev server instead of the built files.
const devUrl = !app.isPackaged && process.env.ONIRIQUE_DEV_URL?.startsWith('http://127.0.0.1:') ? process.env.ONIRIQUE_DEV_URL : null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  const services = new HostServices(app.getPath('userData'));
  await services.init();
  const csp = contentSecurityPolicy();
  setupAppProtocol(join(__dirname, '..', 'renderer'), csp, (id, file) => modelFileForUrl(services.userDataDir, id, file));
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl, devUrl)),
  );

  const state: WindowState = { edited: false };
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Onirique',
    show: false,
    backgroundColor: '#1e1e22',
    webPreferences: { ...hardenedWebPreferences, preload: join(__dirname, 'preload.cjs') },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, devUrl)) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the user's browser, never inside the app.
    const external = externalUrlToOpen(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
  win.on('close', (e) => {
    if (!state.edited) return;
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Cancel', 'Discard changes'],
      defaultId: 0,
      cancelId: 0,
      message: 'Discard unsaved changes?',
      detail: 'The edited photo has not been exported.',
    });
    if (choice !== 1) e.preventDefault();
  });

  setupIpc(win, services, state, devUrl);
  setupMenu(win);

  const open = async (paths: string[]) => {
    // One document at a time: the first path wins.
    for (const p of paths.slice(0, 1)) {
      const res = await services.openPath(p);
      if (res.ok) app.addRecentDocument(p);
      win.webContents.send(IpcChannel.openDocument, res);
    }
  };
  app.on('second-instance', (_e, argv, workingDirectory) => {
    if (win.isMinimized()) win.restore();
    win.focus();
    void open(imagePathsFromArgv(argv, workingDirectory));
  });
  win.webContents.once('did-finish-load', () => {
    openPaths = open;
    void open([...pendingPaths, ...imagePathsFromArgv(process.argv)]);
  });
  await win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);
}

app.on('window-all-closed', () => app.quit());
