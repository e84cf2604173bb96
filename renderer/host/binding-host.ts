/** HostApi over a JSON-only function binding: how the e2e harness plugs the real main-process services in. */
import type { HostApi, HostResult, MenuCommand, OpenedDocument } from '../../electron/ipc-contract';
import { decodeBinary, encodeBinary } from './binary-json';

/** The binding Playwright's exposeBinding installs on window. */
export type HostBinding = (method: string, args: unknown) => Promise<unknown>;

type Listener = (payload: unknown) => void;

/** Builds a HostApi whose calls go through `binding`; events arrive via `window.__oniriqueEmit`. */
export function createBindingHost(binding: HostBinding): HostApi {
  const listeners = new Map<string, Listener[]>();
  (window as unknown as { __oniriqueEmit: (ch: string, p: unknown) => void }).__oniriqueEmit = (ch, p) => {
    for (const l of listeners.get(ch) ?? []) l(decodeBinary(p));
  };
  const on = (ch: string, l: Listener) => listeners.set(ch, [...(listeners.get(ch) ?? []), l]);
  const call = async <T>(method: string, ...args: unknown[]): Promise<T> => decodeBinary(await binding(method, encodeBinary(args))) as T;
  return {
    kind: 'harness',
    openDialog: () => call('openDialog'),
    openBytes: (name, bytes) => call('openBytes', name, bytes),
    openRecent: (id) => call('openRecent', id),
    fullImage: (docId) => call('fullImage', docId),
    recentList: () => call('recentList'),
    exportImage: (req) => call('exportImage', req),
    exportBytes: (req) => call('exportBytes', req),
    getSettings: () => call('getSettings'),
    setSettings: (patch) => call('setSettings', patch),
    listModels: () => call('listModels'),
    installModel: async (id, opts) => {
      if (opts?.onProgress) on('install-progress', opts.onProgress as Listener);
      return call('installModel', id);
    },
    cancelInstall: (id) => void call('cancelInstall', id),
    importModel: () => call('importModel'),
    saveRecovery: (image, info) => call('saveRecovery', image, info),
    takeRecovery: () => call('takeRecovery'),
    clearRecovery: () => call('clearRecovery'),
    setDocumentEdited: (edited, title) => void call('setDocumentEdited', edited, title),
    setProgress: (fraction) => void call('setProgress', fraction),
    onOpenDocument: (h) => on('open-document', (p) => h(p as HostResult<OpenedDocument>)),
    onMenuCommand: (h) => on('menu-command', (p) => h(p as MenuCommand)),
  };
}
