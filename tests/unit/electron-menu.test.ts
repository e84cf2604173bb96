/**
 * The native menu, built by the real setupMenu(win) against a fake Electron: every entry sends its
 * action id over the menu channel, every action placed in the menu is there with its shortcut as
 * accelerator, and nothing else is in it but Electron's own roles.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTION_LIST, ACTIONS, isActionId, MENU_LABEL_KEYS, MENUS } from '../../src/app/actions/action-defs';
import { actionMessages } from '../../src/app/i18n/action-messages';
import { IpcChannel } from '../../src/host/host-contract';
import { BrowserWindow as FakeWindow, Menu, resetElectronMock, type FakeMenuItemOptions } from './electron-mock';

vi.mock('electron', () => import('./electron-mock'));

const { setupMenu } = await import('../../src/electron/menu');

/** The roles the menu may hold besides actions. */
const ROLES = new Set(['quit', 'close', 'appMenu']);

/** Every leaf item of the installed menu, with its top-level menu's label. */
function installedItems(): { top: string; item: FakeMenuItemOptions }[] {
  const menu = Menu.applicationMenu;
  if (!menu) throw new Error('no application menu installed');
  return menu.items.flatMap((top) => (top.submenu ? top.submenu.map((item) => ({ top: top.label ?? top.role ?? '', item })) : [{ top: '', item: top }]));
}

function build(platform: NodeJS.Platform): FakeWindow {
  vi.stubGlobal('process', { ...process, platform });
  const win = new FakeWindow();
  setupMenu(win);
  vi.unstubAllGlobals();
  return win;
}

beforeEach(() => resetElectronMock());
afterEach(() => vi.unstubAllGlobals());

describe.each(['linux', 'darwin'] as const)('the menu on %s', (platform) => {
  it('sends each clicked entry’s action id over the menu channel', () => {
    const win = build(platform);
    const clickable = installedItems().filter(({ item }) => item.click);
    expect(clickable.length).toBe(ACTION_LIST.filter((a) => a.menu).length);
    for (const { item } of clickable) {
      win.webContents.send.mockClear();
      item.click!();
      expect(win.webContents.send).toHaveBeenCalledTimes(1);
      const [channel, id] = win.webContents.send.mock.calls[0]!;
      expect(channel).toBe(IpcChannel.menuCommand);
      expect(isActionId(id)).toBe(true);
      expect(item.label).toBe(actionMessages[ACTIONS[id as keyof typeof ACTIONS].labelKey]!.en);
    }
  });

  it('holds every placed action under its menu with its shortcut as accelerator', () => {
    build(platform);
    const items = installedItems();
    for (const a of ACTION_LIST.filter((x) => x.menu)) {
      const label = actionMessages[a.labelKey]!.en;
      const found = items.filter(({ item }) => item.label === label);
      expect(found, a.id).toHaveLength(1);
      const { top, item } = found[0]!;
      expect(top).toBe(actionMessages[MENU_LABEL_KEYS[a.menu!.menu]]!.en);
      expect(item.accelerator).toBe(a.shortcut);
      // Single keys stay the renderer's, so typing them in a field is typing.
      expect(item.registerAccelerator).toBe(a.menu!.registerAccelerator);
    }
    expect(items.find(({ item }) => item.label === 'Open…')!.item.accelerator).toBe('CmdOrCtrl+O');
    expect(items.find(({ item }) => item.label === 'Zoom In')!.item.registerAccelerator).toBe(false);
  });

  it('has nothing else but separators and the platform’s roles', () => {
    build(platform);
    const menu = Menu.applicationMenu!;
    const tops = menu.items.filter((i) => !i.role).map((i) => i.label);
    expect(tops).toEqual(MENUS.map((m) => actionMessages[MENU_LABEL_KEYS[m]]!.en));
    const roles = menu.items.flatMap((i) => [i, ...(i.submenu ?? [])]).filter((i) => i.role).map((i) => i.role);
    expect(roles).toEqual(platform === 'darwin' ? ['appMenu', 'close'] : ['quit']);
    for (const { item } of installedItems()) {
      if (item.role) expect(ROLES.has(item.role), item.role).toBe(true);
      else if (item.type === 'separator') expect(item.label).toBeUndefined();
      else expect(item.click, item.label).toBeTypeOf('function');
    }
    // Separators only between groups: never first, last or doubled.
    for (const top of menu.items) {
      const kinds = (top.submenu ?? []).map((i) => i.type === 'separator');
      if (kinds.length === 0) continue;
      expect(kinds[0]).toBe(false);
      expect(kinds.at(-1)).toBe(false);
      expect(kinds.some((s, i) => s && kinds[i + 1])).toBe(false);
    }
  });
});
