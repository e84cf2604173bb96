/** Electron main (the esbuild entry): thin glue that wires the Electron-free services to a hardened window. */
import { app, session } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN, registerAppScheme, setupAppProtocol } from './app-protocol';
import { setupIpc, type WindowState } from './ipc';
import { setupMenu } from './menu';
import { documentOpener, openInitialDocuments, setupOpenFileQueue, setupSecondInstance, type OpenFileQueue } from './open-documents';
import { setupPermissions } from './permissions';
import { createMainWindow } from './window';
import { HostServices } from '../services/host-services';
import { modelFileForUrl } from '../services/model-files';
import { contentSecurityPolicy } from './security';

/** In development only, the window may load the Vite dev server instead of the built files. */
function devServerUrl(): string | null {
  const url = process.env.ONIRIQUE_DEV_URL;
  return !app.isPackaged && url?.startsWith('http://127.0.0.1:') ? url : null;
}

/** Starts the app: registers app://, takes the single-instance lock, then opens the window once ready. Exported for tests. */
export function main(): Promise<void> {
  registerAppScheme();
  const queue = setupOpenFileQueue();
  const devUrl = devServerUrl();
  let started = Promise.resolve();
  if (!app.requestSingleInstanceLock()) app.quit();
  else started = start(queue, devUrl);
  app.on('window-all-closed', () => app.quit());
  return started;
}

async function start(queue: OpenFileQueue, devUrl: string | null): Promise<void> {
  await app.whenReady();
  const services = new HostServices(app.getPath('userData'));
  await services.init();
  setupAppProtocol(join(__dirname, '..', 'renderer'), contentSecurityPolicy(), (id, file) => modelFileForUrl(services.userDataDir, id, file));
  setupPermissions(session.defaultSession, devUrl);

  const state: WindowState = { edited: false };
  const win = createMainWindow(state, devUrl, join(__dirname, 'preload.cjs'));
  setupIpc(win, services, state, devUrl);
  setupMenu(win);

  const open = documentOpener(win, services);
  setupSecondInstance(win, open);
  openInitialDocuments(win, queue, open, process.argv);
  await win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);
}

void main();
