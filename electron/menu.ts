/** The native menu: every entry sends a MenuCommand to the renderer, which owns the document. */
import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { IpcChannel, type MenuCommand } from './ipc-contract';

/** Builds and installs the application menu for a window. */
export function setupMenu(win: BrowserWindow): void {
  const send = (c: MenuCommand) => () => win.webContents.send(IpcChannel.menuCommand, c);
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: send('open') },
        { label: 'Export…', accelerator: 'CmdOrCtrl+Shift+E', click: send('export') },
        { type: 'separator' },
        { role: process.platform === 'darwin' ? 'close' : 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { label: 'Undo', accelerator: 'CmdOrCtrl+Z', click: send('undo') },
        { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', click: send('redo') },
      ],
    },
    {
      label: '&View',
      submenu: [
        { label: 'Zoom In', accelerator: 'Plus', click: send('zoom-in'), registerAccelerator: false },
        { label: 'Zoom Out', accelerator: '-', click: send('zoom-out'), registerAccelerator: false },
        { label: 'Fit', accelerator: '0', click: send('zoom-fit'), registerAccelerator: false },
        { label: '100%', accelerator: '1', click: send('zoom-100'), registerAccelerator: false },
      ],
    },
    { label: '&Help', submenu: [{ label: 'Keyboard Shortcuts', accelerator: 'F1', click: send('help') }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
