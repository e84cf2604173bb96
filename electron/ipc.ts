/** IPC handlers: every call checks its sender and validates its arguments, then calls the services. */
import { app, BrowserWindow, dialog, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { dirname, join } from 'node:path';
import { IpcChannel, type ExportFormat } from './ipc-contract';
import type { HostServices } from './services/host-services';
import { parseExportRequest } from './services/validate';
import { exportBytesExtension, parseExportBytesRequest } from './services/export-bytes';
import { isTrustedSenderUrl } from './security';
import { OPENABLE_EXTENSIONS } from './services/file-associations';

const FILTERS: Record<ExportFormat, Electron.FileFilter> = {
  png: { name: 'PNG', extensions: ['png'] },
  jpeg: { name: 'JPEG', extensions: ['jpg', 'jpeg'] },
  webp: { name: 'WebP', extensions: ['webp'] },
  avif: { name: 'AVIF', extensions: ['avif'] },
  tiff: { name: 'TIFF', extensions: ['tif', 'tiff'] },
};

/** Only our own window, showing our own origin (or the dev server in development), may call. */
function checkSender(e: IpcMainInvokeEvent | IpcMainEvent, win: BrowserWindow, devUrl: string | null): void {
  const url = e.senderFrame?.url ?? '';
  if (e.sender !== win.webContents || !isTrustedSenderUrl(url, devUrl)) throw new Error(`IPC refused from ${url || 'an unknown frame'}`);
}

/** Window state main needs to keep: unsaved changes for the close prompt. */
export interface WindowState {
  edited: boolean;
}

/** Registers every HostApi handler for one window. */
export function setupIpc(win: BrowserWindow, services: HostServices, state: WindowState, devUrl: string | null): void {
  const handle = (channel: string, fn: (e: IpcMainInvokeEvent, ...args: unknown[]) => unknown) =>
    ipcMain.handle(channel, (e, ...args) => {
      checkSender(e, win, devUrl);
      return fn(e, ...args);
    });
  const on = (channel: string, fn: (e: IpcMainEvent, ...args: unknown[]) => void) =>
    ipcMain.on(channel, (e, ...args) => {
      try {
        checkSender(e, win, devUrl);
        fn(e, ...args);
      } catch (err) {
        console.error(String(err));
      }
    });
  const installs = new Map<string, AbortController>();

  handle(IpcChannel.openDialog, async () => {
    const r = await dialog.showOpenDialog(win, { properties: ['openFile'], filters: [{ name: 'Images', extensions: [...OPENABLE_EXTENSIONS] }] });
    if (r.canceled || !r.filePaths[0]) return null;
    const res = await services.openPath(r.filePaths[0]);
    if (res.ok) app.addRecentDocument(r.filePaths[0]);
    return res;
  });
  handle(IpcChannel.openBytes, (_e, name, bytes) => services.openBytes(name, bytes));
  handle(IpcChannel.openRecent, (_e, id) => services.openRecent(id));
  handle(IpcChannel.fullImage, (_e, docId) => services.fullImage(docId));
  handle(IpcChannel.recentList, () => services.recentList());
  handle(IpcChannel.exportImage, async (_e, raw) => {
    const req = parseExportRequest(raw);
    const source = req.sourceDocId ? services.documentPath(req.sourceDocId) : null;
    const r = await dialog.showSaveDialog(win, {
      defaultPath: source ? join(dirname(source), req.suggestedName) : req.suggestedName,
      filters: [FILTERS[req.format]],
    });
    if (r.canceled || !r.filePath) return null;
    if (source && r.filePath === source) {
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
  });
  handle(IpcChannel.exportBytes, async (_e, raw) => {
    const req = parseExportBytesRequest(raw);
    const ext = exportBytesExtension[req.kind];
    const r = await dialog.showSaveDialog(win, { defaultPath: req.suggestedName, filters: [{ name: ext.toUpperCase(), extensions: [ext] }] });
    return r.canceled || !r.filePath ? null : services.exportBytesTo(r.filePath, req);
  });
  handle(IpcChannel.getSettings, () => services.getSettings());
  handle(IpcChannel.setSettings, (_e, patch) => services.setSettings(patch));
  handle(IpcChannel.listModels, () => services.listModels());
  handle(IpcChannel.installModel, async (e, id) => {
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
  });
  on(IpcChannel.cancelInstall, (_e, id) => {
    if (typeof id === 'string') installs.get(id)?.abort();
  });
  handle(IpcChannel.importModel, async () => {
    const r = await dialog.showOpenDialog(win, { title: 'Import a TensorFlow.js model folder', properties: ['openDirectory'] });
    return r.canceled || !r.filePaths[0] ? null : services.importModelFrom(r.filePaths[0]);
  });
  handle(IpcChannel.saveRecovery, (_e, image, info) => services.saveRecovery(image, info));
  handle(IpcChannel.takeRecovery, () => services.takeRecovery());
  handle(IpcChannel.clearRecovery, () => services.clearRecovery());
  on(IpcChannel.setDocumentEdited, (_e, edited, title) => {
    state.edited = edited === true;
    win.setDocumentEdited(state.edited);
    if (typeof title === 'string') win.setTitle(`${state.edited ? '• ' : ''}${title.slice(0, 200)} — Onirique`);
  });
  on(IpcChannel.setProgress, (_e, fraction) => {
    win.setProgressBar(typeof fraction === 'number' && fraction >= 0 && fraction <= 1 ? fraction : -1);
  });
}
