/** Sandboxed preload: exposes `window.onirique` (the HostApi) over IPC; bundled into one CJS file. */
import { contextBridge, ipcRenderer } from 'electron';
import { IpcChannel, type HostApi, type HostProgress, type HostResult, type MenuCommand, type OpenedDocument } from './ipc-contract';

const api = {
  kind: 'electron',
  openDialog: () => ipcRenderer.invoke(IpcChannel.openDialog),
  openBytes: (name, bytes) => ipcRenderer.invoke(IpcChannel.openBytes, name, bytes),
  openRecent: (id) => ipcRenderer.invoke(IpcChannel.openRecent, id),
  fullImage: (docId) => ipcRenderer.invoke(IpcChannel.fullImage, docId),
  recentList: () => ipcRenderer.invoke(IpcChannel.recentList),
  exportImage: (req) => ipcRenderer.invoke(IpcChannel.exportImage, req),
  exportBytes: (req) => ipcRenderer.invoke(IpcChannel.exportBytes, req),
  getSettings: () => ipcRenderer.invoke(IpcChannel.getSettings),
  setSettings: (patch) => ipcRenderer.invoke(IpcChannel.setSettings, patch),
  listModels: () => ipcRenderer.invoke(IpcChannel.listModels),
  installModel: async (id, opts) => {
    const listener = (_e: unknown, msg: { id: string; progress: HostProgress }) => {
      if (msg.id === id) opts?.onProgress?.(msg.progress);
    };
    ipcRenderer.on(IpcChannel.installProgress, listener);
    try {
      return (await ipcRenderer.invoke(IpcChannel.installModel, id)) as Awaited<ReturnType<HostApi['installModel']>>;
    } finally {
      ipcRenderer.removeListener(IpcChannel.installProgress, listener);
    }
  },
  cancelInstall: (id) => ipcRenderer.send(IpcChannel.cancelInstall, id),
  importModel: () => ipcRenderer.invoke(IpcChannel.importModel),
  saveRecovery: (image, info) => ipcRenderer.invoke(IpcChannel.saveRecovery, image, info),
  takeRecovery: () => ipcRenderer.invoke(IpcChannel.takeRecovery),
  clearRecovery: () => ipcRenderer.invoke(IpcChannel.clearRecovery),
  setDocumentEdited: (edited, title) => ipcRenderer.send(IpcChannel.setDocumentEdited, edited, title),
  setProgress: (fraction) => ipcRenderer.send(IpcChannel.setProgress, fraction),
  onOpenDocument: (handler) => {
    ipcRenderer.on(IpcChannel.openDocument, (_e, doc: HostResult<OpenedDocument>) => handler(doc));
  },
  onMenuCommand: (handler) => {
    ipcRenderer.on(IpcChannel.menuCommand, (_e, c: MenuCommand) => handler(c));
  },
} satisfies HostApi;

contextBridge.exposeInMainWorld('onirique', api);
