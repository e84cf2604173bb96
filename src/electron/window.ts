/** The main window: hardened webPreferences, navigation and window.open refused, the unsaved-changes prompt. */
import { BrowserWindow, dialog, shell, type WebContents } from 'electron';
import type { WindowState } from './ipc';
import { IpcChannel, type MenuCommand } from '../host/host-contract';
import { externalUrlToOpen, hardenedWebPreferences, isAllowedNavigation } from './security';

/** Creates the (hidden until ready) main window with the hardened preferences and its guards. */
export function createMainWindow(state: WindowState, devUrl: string | null, preload: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Onirique',
    show: false,
    backgroundColor: '#1e1e22',
    webPreferences: { ...hardenedWebPreferences, preload },
  });
  win.once('ready-to-show', () => win.show());
  setupNavigationGuards(win.webContents, devUrl);
  setupClosePrompt(win, state);
  return win;
}

/** The page may navigate only within the app; window.open never opens a window (https links go to the browser). */
export function setupNavigationGuards(webContents: WebContents, devUrl: string | null): void {
  webContents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, devUrl)) e.preventDefault();
  });
  webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the user's browser, never inside the app.
    const external = externalUrlToOpen(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
}

/** The close prompt's buttons, in order: Save (export, then close), Don't save, Cancel. */
export const CLOSE_PROMPT_BUTTONS = ['Save…', 'Don’t save', 'Cancel'] as const;

/**
 * Closing (or quitting) with unsaved edits asks Save / Don't save / Cancel. Save runs the
 * renderer's export flow, which closes the window once the export is written (and so no longer
 * edited); a cancelled or failed export leaves it open. Cancel keeps the window as it was.
 */
export function setupClosePrompt(win: BrowserWindow, state: WindowState): void {
  win.on('close', (e) => {
    if (!state.edited) return;
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: [...CLOSE_PROMPT_BUTTONS],
      defaultId: 0,
      cancelId: 2,
      message: 'Save changes to the edited photo?',
      detail: 'The edited photo has not been exported. Your changes are lost if you don’t save them.',
    });
    if (choice === 1) return;
    e.preventDefault();
    if (choice === 0) win.webContents.send(IpcChannel.menuCommand, 'save-and-close' satisfies MenuCommand);
  });
}
