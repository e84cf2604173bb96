/** Files handed to the app by the OS: macOS 'open-file', a second launch, and the first launch's argv. */
import { app, type BrowserWindow } from 'electron';
import { IpcChannel } from '../host/host-contract';
import type { HostServices } from '../services/host-services';
import { imagePathsFromArgv } from './security';

/** Opens paths in the window (one document at a time). */
export type OpenPaths = (paths: string[]) => Promise<void>;

/** Holds 'open-file' paths that arrive before the window can take them. */
export interface OpenFileQueue {
  /** From now on paths go straight to `open`; returns those queued so far. */
  attach(open: OpenPaths): string[];
}

/** Must run before 'ready': macOS may send 'open-file' before the window exists, so paths are queued until then. */
export function setupOpenFileQueue(): OpenFileQueue {
  const pending: string[] = [];
  let target: OpenPaths | null = null;
  app.on('open-file', (e, path) => {
    e.preventDefault();
    if (target) void target([path]);
    else pending.push(path);
  });
  return {
    attach(open) {
      target = open;
      return pending.splice(0);
    },
  };
}

/** Opens the first path through the services, records it as recent, and sends the result to the renderer. */
export function documentOpener(win: BrowserWindow, services: Pick<HostServices, 'openPath'>): OpenPaths {
  return async (paths) => {
    // One document at a time: the first path wins.
    for (const p of paths.slice(0, 1)) {
      const res = await services.openPath(p);
      if (res.ok) app.addRecentDocument(p);
      win.webContents.send(IpcChannel.openDocument, res);
    }
  };
}

/** A second launch (single-instance lock held by us) focuses the window and opens the files it was given. */
export function setupSecondInstance(win: BrowserWindow, open: OpenPaths): void {
  app.on('second-instance', (_e, argv, workingDirectory) => {
    if (win.isMinimized()) win.restore();
    win.focus();
    void open(imagePathsFromArgv(argv, workingDirectory));
  });
}

/** Once the page has loaded, opens what was queued and what the first launch was given on its command line. */
export function openInitialDocuments(win: BrowserWindow, queue: OpenFileQueue, open: OpenPaths, argv: string[]): void {
  win.webContents.once('did-finish-load', () => {
    void open([...queue.attach(open), ...imagePathsFromArgv(argv)]);
  });
}
