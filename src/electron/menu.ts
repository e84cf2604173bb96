/** The native menu, built from the action list: every entry sends its action id to the renderer, which owns the document. */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import { IpcChannel, type MenuCommand } from '../host/host-contract';
import { MENU_LABEL_KEYS, MENUS, menuGroups, type ActionDef, type MenuName } from '../app/actions/action-defs';
import { actionMessages } from '../app/i18n/action-messages';

/** The menu's text (the renderer's language is not known here; the menu has always been English). */
function label(key: string): string {
  return actionMessages[key]?.en ?? key;
}

function item(a: ActionDef, send: (c: MenuCommand) => () => void): MenuItemConstructorOptions {
  return {
    label: label(a.labelKey),
    ...(a.shortcut ? { accelerator: a.shortcut } : {}),
    ...(a.menu?.registerAccelerator === false ? { registerAccelerator: false } : {}),
    click: send(a.id),
  };
}

function submenu(menu: MenuName, send: (c: MenuCommand) => () => void): MenuItemConstructorOptions[] {
  const items = menuGroups(menu).flatMap((g): MenuItemConstructorOptions[] => [{ type: 'separator' }, ...g.map((a) => item(a, send))]);
  const body = items.slice(1);
  if (menu === 'file') body.push({ type: 'separator' }, { role: process.platform === 'darwin' ? 'close' : 'quit' });
  return body;
}

/** What the menu needs of its window (a BrowserWindow): somewhere to send the action ids. */
export interface MenuWindow {
  webContents: { send(channel: string, ...args: unknown[]): void };
}

/** Builds and installs the application menu for a window. */
export function setupMenu(win: MenuWindow): void {
  const send = (c: MenuCommand) => () => win.webContents.send(IpcChannel.menuCommand, c);
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    ...MENUS.map((m) => ({ label: label(MENU_LABEL_KEYS[m]), submenu: submenu(m, send) })),
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
