/** Electron main: thin glue that wires the Electron-free services to a hardened window. */
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN, registerAppScheme, setupAppProtocol } from './app-protocol';
import { IpcChannel } from './ipc-contract';
import { setupIpc, type WindowState } from './ipc';
import { setupMenu } from './menu';
import { HostServices } from './services/host-services';
import { modelFileForUrl } from './services/model-files';
import { contentSecurityPolicy, imagePathsFromArgv, isAllowedNavigation } from './security';

registerAppScheme();

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
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const state: WindowState = { edited: false };
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Onirique',
    show: false,
    backgroundColor: '#1e1e22',
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, devUrl)) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the user's browser, never inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
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

  const openPaths = async (paths: string[]) => {
    for (const p of paths.slice(0, 1)) win.webContents.send(IpcChannel.openDocument, await services.openPath(p));
  };
  app.on('second-instance', (_e, argv) => {
    if (win.isMinimized()) win.restore();
    win.focus();
    void openPaths(imagePathsFromArgv(argv));
  });
  app.on('open-file', (e, path) => {
    e.preventDefault();
    void openPaths([path]);
  });
  win.webContents.once('did-finish-load', () => void openPaths(imagePathsFromArgv(process.argv)));
  await win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);
}

app.on('window-all-closed', () => app.quit());
