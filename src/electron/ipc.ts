/** IPC handlers: every call checks its sender and validates its arguments, then calls the services. */
import { app, BrowserWindow, dialog, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { dirname, join } from 'node:path';
import { hasMode, hostMethods, hostTable, IpcChannel, type ExportFormat, type MethodResult, type MethodsOf } from '../host/host-contract';
import type { HostServices } from '../services/host-services';
import { parseExportRequest } from '../services/validate';
import { exportBytesExtension, parseExportBytesRequest } from '../services/export-bytes';
import { animationExtension, parseExportAnimationRequest } from '../services/encode-animation';
import { isTrustedSenderUrl } from './security';
import { OPENABLE_EXTENSIONS } from '../services/file-associations';
import { isSameFile } from '../services/atomic-write';

const FILTERS: Record<ExportFormat, Electron.FileFilter> = {
  png: { name: 'PNG', extensions: ['png'] },
  jpeg: { name: 'JPEG', extensions: ['jpg', 'jpeg'] },
  webp: { name: 'WebP', extensions: ['webp'] },
  avif: { name: 'AVIF', extensions: ['avif'] },
  tiff: { name: 'TIFF', extensions: ['tif', 'tiff'] },
};

/** One handler per `invoke` row of the host table (missing or extra fails `tsc`); arguments arrive untrusted. */
type InvokeHandlers = { [K in MethodsOf<'invoke'>]: (e: IpcMainInvokeEvent, ...args: unknown[]) => MethodResult<K> | Promise<MethodResult<K>> };
/** One handler per `send` row of the host table. */
type SendHandlers = { [K in MethodsOf<'send'>]: (e: IpcMainEvent, ...args: unknown[]) => void };

/** Only our own window, showing our own origin (or the dev server in development), may call. */
function checkSender(e: IpcMainInvokeEvent | IpcMainEvent, win: BrowserWindow, devUrl: string | null): void {
  const url = e.senderFrame?.url ?? '';
  if (e.sender !== win.webContents || !isTrustedSenderUrl(url, devUrl)) throw new Error(`IPC refused from ${url || 'an unknown frame'}`);
}

/** Window state main needs to keep: unsaved changes for the close prompt. */
export interface WindowState {
  edited: boolean;
}

/** Save dialog, then a confirmation before overwriting the opened original; null when the user backs out. */
async function exportImage(win: BrowserWindow, services: HostServices, raw: unknown): Promise<MethodResult<'exportImage'>> {
  const req = parseExportRequest(raw);
  const source = req.sourceDocId ? services.documentPath(req.sourceDocId) : null;
  const r = await dialog.showSaveDialog(win, {
    defaultPath: source ? join(dirname(source), req.suggestedName) : req.suggestedName,
    filters: [FILTERS[req.format]],
  });
  if (r.canceled || !r.filePath) return null;
  // A symlink, `..` or a hard link can name the original too: compare the files, not the strings.
  if (source && (r.filePath === source || (await isSameFile(r.filePath, source)))) {
    const answer = await dialog.showMessageBox(win, {
      type: 'warning',
      buttons: ['Cancel', 'Replace original'],
      defaultId: 0,
      cancelId: 0,
      message: 'Replace the original photo?',
      detail: 'The file you opened will be overwritten with the edited image. This cannot be undone.',
    });
    if (answer.response !== 1) return null;
  }
  return services.exportTo(r.filePath, req);
}

/** The `invoke` handlers; paths come only from dialogs, never from the renderer. */
function invokeHandlers(win: BrowserWindow, services: HostServices, installs: Map<string, AbortController>): InvokeHandlers {
  return {
    openDialog: async () => {
      const r = await dialog.showOpenDialog(win, { properties: ['openFile'], filters: [{ name: 'Images', extensions: [...OPENABLE_EXTENSIONS] }] });
      if (r.canceled || !r.filePaths[0]) return null;
      const res = await services.openPath(r.filePaths[0]);
      if (res.ok) app.addRecentDocument(r.filePaths[0]);
      return res;
    },
    openBytes: (_e, name, bytes) => services.openBytes(name, bytes),
    openRecent: (_e, id) => services.openRecent(id),
    fullImage: (_e, docId) => services.fullImage(docId),
    recentList: () => services.recentList(),
    exportImage: (_e, raw) => exportImage(win, services, raw),
    exportBytes: async (_e, raw) => {
      const req = parseExportBytesRequest(raw);
      const ext = exportBytesExtension[req.kind];
      const r = await dialog.showSaveDialog(win, { defaultPath: req.suggestedName, filters: [{ name: ext.toUpperCase(), extensions: [ext] }] });
      return r.canceled || !r.filePath ? null : services.exportBytesTo(r.filePath, req);
    },
    exportAnimation: async (_e, raw) => {
      const req = parseExportAnimationRequest(raw);
      const ext = animationExtension[req.format];
      const r = await dialog.showSaveDialog(win, { defaultPath: req.suggestedName, filters: [{ name: ext.toUpperCase(), extensions: [ext] }] });
      return r.canceled || !r.filePath ? null : services.exportAnimationTo(r.filePath, req);
    },
    getSettings: () => services.getSettings(),
    setSettings: (_e, patch) => services.setSettings(patch),
    listModels: () => services.listModels(),
    installModel: async (e, id) => {
      if (typeof id !== 'string') throw new Error('Model id must be a string.');
      const controller = new AbortController();
      installs.set(id, controller);
      try {
        return await services.installModel(id, {
          signal: controller.signal,
          onProgress: (progress) => e.sender.send(IpcChannel.installProgress, { id, progress }),
        });
      } finally {
        installs.delete(id);
      }
    },
    importModel: async () => {
      const r = await dialog.showOpenDialog(win, { title: 'Import a TensorFlow.js model folder', properties: ['openDirectory'] });
      return r.canceled || !r.filePaths[0] ? null : services.importModelFrom(r.filePaths[0]);
    },
    saveTrainedModel: (_e, req) => services.saveTrainedModel(req),
    saveRecovery: (_e, image, info) => services.saveRecovery(image, info),
    saveRecoveryTiles: (_e, update, info) => services.saveRecoveryTiles(update, info),
    takeRecovery: () => services.takeRecovery(),
    clearRecovery: () => services.clearRecovery(),
  };
}

/** The `send` handlers (fire and forget): bad arguments are ignored or clamped, never thrown back. */
function sendHandlers(win: BrowserWindow, state: WindowState, installs: Map<string, AbortController>): SendHandlers {
  return {
    cancelInstall: (_e, id) => {
      if (typeof id === 'string') installs.get(id)?.abort();
    },
    setDocumentEdited: (_e, edited, title) => {
      state.edited = edited === true;
      win.setDocumentEdited(state.edited);
      if (typeof title === 'string') win.setTitle(`${state.edited ? '• ' : ''}${title.slice(0, 200)} — Onirique`);
    },
    setProgress: (_e, fraction) => {
      win.setProgressBar(typeof fraction === 'number' && fraction >= 0 && fraction <= 1 ? fraction : -1);
    },
  };
}

/** Registers every host-table handler for one window, each on its row's channel. */
export function setupIpc(win: BrowserWindow, services: HostServices, state: WindowState, devUrl: string | null): void {
  const installs = new Map<string, AbortController>();
  // Every window hears of model changes, its own or another's, or the CLI's on the same cache.
  const unsubscribe = services.onModelsChanged(() => {
    if (!win.isDestroyed()) win.webContents.send(IpcChannel.modelsChanged);
  });
  win.on('closed', unsubscribe);
  const invoke = invokeHandlers(win, services, installs);
  const send = sendHandlers(win, state, installs);
  for (const name of hostMethods) {
    if (hasMode(name, 'invoke')) {
      const fn = invoke[name];
      ipcMain.handle(hostTable[name].channel, (e, ...args) => {
        checkSender(e, win, devUrl);
        return fn(e, ...args);
      });
    } else if (hasMode(name, 'send')) {
      const fn = send[name];
      ipcMain.on(hostTable[name].channel, (e, ...args) => {
        try {
          checkSender(e, win, devUrl);
          fn(e, ...args);
        } catch (err) {
          console.error(String(err));
        }
      });
    }
  }
}
