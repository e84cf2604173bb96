/**
 * Every user operation as data: id, label key, shortcut and where it sits in the native menu and
 * the toolbar. Pure (no Svelte, no DOM): the main process builds the menu from it, the renderer
 * the toolbar, the keyboard handler and the help sheet; actions.svelte.ts says what each one does.
 */

/** Top-level menus, in menu-bar order. */
export const MENUS = ['file', 'edit', 'view', 'image', 'help'] as const;
/** A top-level menu. */
export type MenuName = (typeof MENUS)[number];

/** Where an action sits in the native menu: its menu and a group (groups are split by separators). */
export interface MenuPlacement {
  menu: MenuName;
  group: number;
  /**
   * False for single keys (zoom): the renderer's keyboard handler owns them, so typing them in a
   * text field stays typing (Electron's registerAccelerator).
   */
  registerAccelerator?: false;
}

/** One operation; `shortcut` uses Electron's accelerator notation (e.g. 'CmdOrCtrl+Shift+E', 'Plus', 'F1'). */
export interface ActionDef {
  id: ActionId;
  /** i18n key of the label (src/app/i18n/action-messages.ts). */
  labelKey: string;
  /** The shortcut the menu and the help sheet show. */
  shortcut?: string;
  /** Further keys that do the same (not shown in the menu). */
  altShortcuts?: readonly string[];
  menu?: MenuPlacement;
  /** The toolbar button's data-testid, for actions that have a toolbar button. */
  toolbarTestId?: string;
}

/** Action ids, in the order the help sheet lists them. */
export const ACTION_IDS = [
  'open',
  'export',
  'undo',
  'redo',
  'zoom-in',
  'zoom-out',
  'zoom-fit',
  'zoom-100',
  'compare',
  'panel-filter',
  'panel-dream',
  'panel-explain',
  'panel-teach',
  'apply-filter',
  'dream-whole',
  'run-cam',
  'train',
  'cancel-job',
  'brush-smaller',
  'brush-larger',
  'dream-mask-tint',
  'language-en',
  'language-fr',
  'help',
  'save-and-close',
] as const;
/** The id of an action; also what the native menu sends to the renderer. */
export type ActionId = (typeof ACTION_IDS)[number];

/** Shorthand for single-key view shortcuts, which only the renderer handles. */
const viewKey = (group: number): MenuPlacement => ({ menu: 'view', group, registerAccelerator: false });
/** The same for the Image menu's single keys (the Dream brush). */
const imageKey = (group: number): MenuPlacement => ({ menu: 'image', group, registerAccelerator: false });

/** The action list, by id. */
export const ACTIONS: { readonly [K in ActionId]: ActionDef & { id: K } } = {
  open: { id: 'open', labelKey: 'action.open', shortcut: 'CmdOrCtrl+O', menu: { menu: 'file', group: 0 }, toolbarTestId: 'open' },
  export: { id: 'export', labelKey: 'action.export', shortcut: 'CmdOrCtrl+Shift+E', menu: { menu: 'file', group: 0 }, toolbarTestId: 'export' },
  undo: { id: 'undo', labelKey: 'action.undo', shortcut: 'CmdOrCtrl+Z', menu: { menu: 'edit', group: 0 }, toolbarTestId: 'undo' },
  redo: { id: 'redo', labelKey: 'action.redo', shortcut: 'CmdOrCtrl+Shift+Z', altShortcuts: ['CmdOrCtrl+Y'], menu: { menu: 'edit', group: 0 }, toolbarTestId: 'redo' },
  'zoom-in': { id: 'zoom-in', labelKey: 'action.zoomIn', shortcut: 'Plus', altShortcuts: ['='], menu: viewKey(0) },
  'zoom-out': { id: 'zoom-out', labelKey: 'action.zoomOut', shortcut: '-', menu: viewKey(0) },
  'zoom-fit': { id: 'zoom-fit', labelKey: 'action.zoomFit', shortcut: '0', menu: viewKey(0), toolbarTestId: 'zoom-fit' },
  'zoom-100': { id: 'zoom-100', labelKey: 'action.zoom100', shortcut: '1', menu: viewKey(0), toolbarTestId: 'zoom-100' },
  compare: { id: 'compare', labelKey: 'action.compare', menu: { menu: 'view', group: 1 } },
  'panel-filter': { id: 'panel-filter', labelKey: 'action.panelFilter', menu: { menu: 'view', group: 2 } },
  'panel-dream': { id: 'panel-dream', labelKey: 'action.panelDream', menu: { menu: 'view', group: 2 } },
  'panel-explain': { id: 'panel-explain', labelKey: 'action.panelExplain', menu: { menu: 'view', group: 2 } },
  'panel-teach': { id: 'panel-teach', labelKey: 'action.panelTeach', menu: { menu: 'view', group: 2 } },
  'apply-filter': { id: 'apply-filter', labelKey: 'action.applyFilter', menu: { menu: 'image', group: 0 } },
  'dream-whole': { id: 'dream-whole', labelKey: 'action.dreamWhole', menu: { menu: 'image', group: 0 } },
  'brush-smaller': { id: 'brush-smaller', labelKey: 'action.brushSmaller', shortcut: '[', menu: imageKey(2) },
  'brush-larger': { id: 'brush-larger', labelKey: 'action.brushLarger', shortcut: ']', menu: imageKey(2) },
  'dream-mask-tint': { id: 'dream-mask-tint', labelKey: 'action.dreamMaskTint', shortcut: 'M', menu: imageKey(2) },
  'run-cam': { id: 'run-cam', labelKey: 'action.runCam', menu: { menu: 'image', group: 0 } },
  train: { id: 'train', labelKey: 'action.train', menu: { menu: 'image', group: 0 } },
  'cancel-job': { id: 'cancel-job', labelKey: 'action.cancelJob', menu: { menu: 'image', group: 1 } },
  'language-en': { id: 'language-en', labelKey: 'action.languageEn', menu: { menu: 'view', group: 3 } },
  'language-fr': { id: 'language-fr', labelKey: 'action.languageFr', menu: { menu: 'view', group: 3 } },
  help: { id: 'help', labelKey: 'action.help', shortcut: 'F1', menu: { menu: 'help', group: 0 } },
  // Sent by the window's close prompt (Save), never shown in a menu.
  'save-and-close': { id: 'save-and-close', labelKey: 'action.saveAndClose' },
};

/** Every action, in ACTION_IDS order. */
export const ACTION_LIST: readonly ActionDef[] = ACTION_IDS.map((id) => ACTIONS[id]);

/** i18n keys of the top-level menu titles (with the & mnemonic in the English text). */
export const MENU_LABEL_KEYS: { readonly [M in MenuName]: string } = {
  file: 'menu.file',
  edit: 'menu.edit',
  view: 'menu.view',
  image: 'menu.image',
  help: 'menu.help',
};

/** True when a value is an action id (the menu channel carries untyped IPC values). */
export function isActionId(v: unknown): v is ActionId {
  return typeof v === 'string' && (ACTION_IDS as readonly string[]).includes(v);
}

/** The actions of one menu, split into its groups in ACTION_IDS order (empty groups dropped). */
export function menuGroups(menu: MenuName): ActionDef[][] {
  const groups = new Map<number, ActionDef[]>();
  for (const a of ACTION_LIST) {
    if (a.menu?.menu !== menu) continue;
    const g = groups.get(a.menu.group) ?? [];
    g.push(a);
    groups.set(a.menu.group, g);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, g]) => g);
}
