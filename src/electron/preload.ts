/** Sandboxed preload: exposes `window.onirique` (the HostApi) over IPC; bundled into one CJS file. */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { hostFromTransport, hostTable, type HostProgress } from '../host/host-contract';

// Every table row becomes one method: invoke/send on its channel, or a listener for its event.
const api = hostFromTransport('electron', {
  invoke: async (method, args, onProgress) => {
    const row = hostTable[method];
    if (!onProgress || !('progress' in row)) return ipcRenderer.invoke(row.channel, ...args);
    // Progress reports name the call by its first argument (the model id), so parallel calls stay apart.
    const listener = (_e: IpcRendererEvent, msg: { id: unknown; progress: HostProgress }) => {
      if (msg.id === args[0]) onProgress(msg.progress);
    };
    ipcRenderer.on(row.progress, listener);
    try {
      return await ipcRenderer.invoke(row.channel, ...args);
    } finally {
      ipcRenderer.removeListener(row.progress, listener);
    }
  },
  send: (method, args) => ipcRenderer.send(hostTable[method].channel, ...args),
  listen: (method, handler) => {
    ipcRenderer.on(hostTable[method].channel, (_e, payload: unknown) => handler(payload));
  },
});

contextBridge.exposeInMainWorld('onirique', api);
