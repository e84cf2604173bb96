/** Exporting over the opened original asks first, however the save dialog names that file (symlink, `..`, hard link). */
import type { BrowserWindow } from 'electron';
import { link, mkdtemp, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { dialog, FakeBrowserWindow, ipcMain, resetElectronMock } from './electron-mock';
import { IpcChannel, type ExportRequest } from '../../src/host/host-contract';
import { setupIpc } from '../../src/electron/ipc';
import { HostServices } from '../../src/services/host-services';

vi.mock('electron', () => import('./electron-mock'));

const APP_PAGE = 'app://onirique/index.html';

describe('export over the original', () => {
  let dir: string;
  let original: string;
  let win: FakeBrowserWindow;
  let docId: string;
  const trusted = () => ({ sender: win.webContents, senderFrame: { url: APP_PAGE } });

  beforeEach(async () => {
    resetElectronMock();
    dir = await mkdtemp(join(tmpdir(), 'onirique-replace-'));
    original = join(dir, 'photo.png');
    await sharp({ create: { width: 4, height: 3, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 1 } } }).png().toFile(original);
    const services = new HostServices(join(dir, 'user-data'));
    await services.init();
    win = new FakeBrowserWindow();
    setupIpc(win as unknown as BrowserWindow, services, { edited: false }, null);
    const opened = await services.openPath(original);
    if (!opened.ok) throw new Error(opened.error);
    docId = opened.value.docId;
  });

  const request = (): ExportRequest => ({
    image: { width: 4, height: 3, data: new Uint8ClampedArray(4 * 3 * 4).fill(255) },
    format: 'png',
    suggestedName: 'photo.png',
    sourceDocId: docId,
  });

  const targets: Record<string, () => Promise<string>> = {
    'the same path': async () => original,
    'a symlink to it': async () => {
      const p = join(dir, 'alias.png');
      await symlink(original, p);
      return p;
    },
    'a path through ..': async () => join(dir, 'user-data', '..', 'photo.png'),
    'a hard link to it': async () => {
      const p = join(dir, 'hard.png');
      await link(original, p);
      return p;
    },
  };

  it.each(Object.keys(targets))('asks before replacing it through %s, and Cancel keeps its bytes', async (what) => {
    const target = await targets[what]!();
    const before = await readFile(original);
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
    // The fake answers button 0: Cancel.
    await expect(ipcMain.invoke(IpcChannel.exportImage, trusted(), request())).resolves.toBeNull();
    expect(dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(await readFile(original)).toEqual(before);
  });

  it('does not ask for another file', async () => {
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: join(dir, 'other.png') });
    const r = await ipcMain.invoke(IpcChannel.exportImage, trusted(), request());
    expect(r).toMatchObject({ ok: true });
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
  });
});
