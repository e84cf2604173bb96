/**
 * The action list: every action has a label in both languages, no two share a key, the one keyboard
 * handler maps real key events to the right action (not while typing in a field), and the help
 * sheet lists every action that has a shortcut.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ACTION_IDS, ACTION_LIST, ACTIONS, isActionId, MENU_LABEL_KEYS, menuGroups, MENUS } from '../../src/app/actions/action-defs';
import { actionForKey, formatShortcut, helpEntries, isCloseKey, isTypingTarget, matchesShortcut, shortcutsOf, type KeyLike } from '../../src/app/actions/shortcuts';

// The messages modules register through i18n.svelte.ts, whose runes only compile in the app build:
// a stand-in records what they register.
const catalog = vi.hoisted(() => new Map<string, { en: string; fr: string }>());
vi.mock('../../src/app/i18n/i18n.svelte', () => ({
  defineMessages: <T extends Record<string, { en: string; fr: string }>>(m: T): T => {
    for (const [k, v] of Object.entries(m)) catalog.set(k, v);
    return m;
  },
  t: (key: string) => key,
  i18n: { locale: 'en' },
}));

const src = resolve(__dirname, '../../src');

beforeAll(async () => {
  const files = [resolve(src, 'app/i18n/app-messages.ts')];
  for (const area of readdirSync(src, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(resolve(src, area.name))) if (f.endsWith('-messages.ts')) files.push(resolve(src, area.name, f));
  }
  for (const f of files) await import(pathToFileURL(f).href);
});

/** A key press with no modifiers unless given. */
function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods };
}

/** A shortcut reduced to what the matcher compares, so 'CmdOrCtrl+Shift+Z' and 'Shift+CmdOrCtrl+z' collide. */
function canonical(s: string): string {
  const parts = s.split('+');
  const k = parts.at(-1) === '' ? '+' : parts.at(-1)!;
  return [...parts.slice(0, -1).map((p) => p.toLowerCase()).sort(), k.toLowerCase() === 'plus' ? '+' : k.toLowerCase()].join('+');
}

describe('the action list', () => {
  it('has one definition per id, each under its own id', () => {
    expect(ACTION_LIST.map((a) => a.id)).toEqual([...ACTION_IDS]);
    for (const id of ACTION_IDS) expect(ACTIONS[id].id).toBe(id);
    expect(new Set(ACTION_IDS).size).toBe(ACTION_IDS.length);
  });

  it('covers what the toolbar, the menu and the keys did before, plus the panels and their jobs', () => {
    for (const id of ['open', 'export', 'undo', 'redo', 'zoom-in', 'zoom-out', 'zoom-fit', 'zoom-100', 'help', 'compare', 'panel-filter', 'panel-dream', 'panel-explain', 'panel-teach', 'apply-filter', 'dream-whole', 'run-cam', 'train', 'cancel-job', 'language-en', 'language-fr']) {
      expect(isActionId(id), id).toBe(true);
    }
    expect(isActionId('format-disk')).toBe(false);
    expect(isActionId(42)).toBe(false);
  });

  it('every action and menu title has a non-empty label in English and French', () => {
    const keys = [...ACTION_LIST.map((a) => a.labelKey), ...MENUS.map((m) => MENU_LABEL_KEYS[m])];
    expect(catalog.size).toBeGreaterThan(keys.length);
    for (const k of keys) {
      const m = catalog.get(k);
      expect(m, `no message for ${k}`).toBeDefined();
      expect(m!.en.trim(), `${k} (en)`).not.toBe('');
      expect(m!.fr.trim(), `${k} (fr)`).not.toBe('');
    }
    // The toolbar's visible labels the e2e specs read stay as they were.
    expect(catalog.get(ACTIONS.open.labelKey)).toEqual({ en: 'Open…', fr: 'Ouvrir…' });
  });

  it('no two actions share a shortcut', () => {
    const all = ACTION_LIST.flatMap((a) => shortcutsOf(a).map((s) => [canonical(s), a.id] as const));
    const seen = new Map<string, string>();
    for (const [s, id] of all) {
      expect(seen.get(s), `${s} is bound to ${seen.get(s)} and ${id}`).toBeUndefined();
      seen.set(s, id);
    }
    expect(all.length).toBeGreaterThanOrEqual(11);
  });

  it('menu groups hold every placed action once, in list order', () => {
    const placed = MENUS.flatMap((m) => menuGroups(m).flat().map((a) => a.id));
    expect(placed).toEqual(ACTION_LIST.filter((a) => a.menu).map((a) => a.id).sort((a, b) => MENUS.indexOf(ACTIONS[a].menu!.menu) - MENUS.indexOf(ACTIONS[b].menu!.menu)));
    for (const m of MENUS) for (const g of menuGroups(m)) expect(g.length).toBeGreaterThan(0);
  });
});

describe('the keyboard handler', () => {
  it('maps Ctrl and Cmd chords to their actions, told apart by Shift', () => {
    expect(actionForKey(key('o', { ctrlKey: true }))).toBe('open');
    expect(actionForKey(key('o', { metaKey: true }))).toBe('open');
    expect(actionForKey(key('E', { ctrlKey: true, shiftKey: true }))).toBe('export');
    expect(actionForKey(key('e', { ctrlKey: true }))).toBeNull();
    expect(actionForKey(key('z', { ctrlKey: true }))).toBe('undo');
    expect(actionForKey(key('z', { metaKey: true }))).toBe('undo');
    expect(actionForKey(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(actionForKey(key('Z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(actionForKey(key('y', { ctrlKey: true }))).toBe('redo');
    expect(actionForKey(key('o'))).toBeNull();
    expect(actionForKey(key('z'))).toBeNull();
  });

  it('maps single keys (zoom, help) whatever Shift the layout needs for them, but not with Ctrl', () => {
    expect(actionForKey(key('+', { shiftKey: true }))).toBe('zoom-in');
    expect(actionForKey(key('='))).toBe('zoom-in');
    expect(actionForKey(key('-'))).toBe('zoom-out');
    expect(actionForKey(key('0'))).toBe('zoom-fit');
    // AZERTY types digits with Shift.
    expect(actionForKey(key('1', { shiftKey: true }))).toBe('zoom-100');
    expect(actionForKey(key('F1'))).toBe('help');
    expect(actionForKey(key('-', { ctrlKey: true }))).toBeNull();
    expect(actionForKey(key('0', { metaKey: true }))).toBeNull();
    expect(actionForKey(key('2'))).toBeNull();
    expect(actionForKey(key('Escape'))).toBeNull();
  });

  it('ignores Alt unless asked for (AltGr layouts add it), and honours it when asked', () => {
    expect(actionForKey(key('o', { ctrlKey: true, altKey: true }))).toBe('open');
    expect(matchesShortcut(key('k', { ctrlKey: true, altKey: true }), 'CmdOrCtrl+Alt+K')).toBe(true);
    expect(matchesShortcut(key('k', { ctrlKey: true }), 'CmdOrCtrl+Alt+K')).toBe(false);
  });

  it('fires nothing while typing in a field, single keys and chords alike', () => {
    for (const tagName of ['INPUT', 'SELECT', 'TEXTAREA', 'input']) {
      expect(isTypingTarget({ tagName })).toBe(true);
      expect(actionForKey(key('1', { target: { tagName } }))).toBeNull();
      expect(actionForKey(key('-', { target: { tagName } }))).toBeNull();
      expect(actionForKey(key('z', { ctrlKey: true, target: { tagName } }))).toBeNull();
    }
    for (const target of [{ tagName: 'BUTTON' }, { tagName: 'CANVAS' }, null, undefined, 'INPUT']) {
      expect(isTypingTarget(target)).toBe(false);
      expect(actionForKey(key('1', { target }))).toBe('zoom-100');
    }
  });

  it('fires on a focused checkbox, slider or button: only text and number fields take the keys', () => {
    for (const type of ['checkbox', 'range', 'radio', 'button', 'CHECKBOX']) {
      const target = { tagName: 'INPUT', type };
      expect(isTypingTarget(target), type).toBe(false);
      expect(actionForKey(key('1', { target })), type).toBe('zoom-100');
      expect(actionForKey(key('z', { ctrlKey: true, target })), type).toBe('undo');
    }
    for (const type of ['text', 'number', 'search', '']) {
      const target = { tagName: 'INPUT', type };
      expect(isTypingTarget(target), type).toBe(true);
      expect(actionForKey(key('1', { target })), type).toBeNull();
      expect(actionForKey(key('z', { ctrlKey: true, target })), type).toBeNull();
    }
  });

  it('Esc (alone) is the close key, wherever the focus is', () => {
    expect(isCloseKey(key('Escape'))).toBe(true);
    expect(isCloseKey(key('Escape', { target: { tagName: 'INPUT', type: 'number' } }))).toBe(true);
    expect(isCloseKey(key('Escape', { ctrlKey: true }))).toBe(false);
    expect(isCloseKey(key('Esc'))).toBe(false);
    expect(isCloseKey(key('F1'))).toBe(false);
  });

  it('matches every listed shortcut of every action to that action', () => {
    for (const a of ACTION_LIST) {
      for (const s of shortcutsOf(a)) {
        const parts = s.split('+');
        const k = parts.at(-1)!;
        const ev = key(k === 'Plus' ? '+' : k.length === 1 ? k.toLowerCase() : k, {
          ctrlKey: parts.includes('CmdOrCtrl'),
          shiftKey: parts.includes('Shift'),
          altKey: parts.includes('Alt'),
        });
        expect(actionForKey(ev), s).toBe(a.id);
      }
    }
  });
});

describe('French labels', () => {
  it('tell Undo from Cancel: no French text is both an undo and a cancel label', () => {
    const undo = [...catalog].filter(([k]) => /\.(undo|redo)$/.test(k)).map(([, m]) => m.fr);
    const cancel = [...catalog].filter(([k]) => /\.cancel(Job)?$/.test(k)).map(([, m]) => m.fr);
    expect(undo.length).toBeGreaterThanOrEqual(2);
    expect(cancel.length).toBeGreaterThanOrEqual(2);
    for (const u of undo) for (const c of cancel) expect(c.toLowerCase().startsWith(u.toLowerCase()), `${u} / ${c}`).toBe(false);
    expect(catalog.get('app.cancel')!.fr).toBe('Annuler');
  });
});

describe('the help sheet', () => {
  it('lists every action with a shortcut, with all its keys, then the canvas gestures', () => {
    const entries = helpEntries();
    const keyed = ACTION_LIST.filter((a) => a.shortcut);
    expect(keyed.length).toBeGreaterThanOrEqual(9);
    for (const a of keyed) {
      const e = entries.find((x) => x.labelKey === a.labelKey);
      expect(e, a.id).toBeDefined();
      for (const s of shortcutsOf(a)) expect(e!.keys).toContain(formatShortcut(s));
    }
    expect(entries.find((e) => e.labelKey === ACTIONS.redo.labelKey)!.keys).toBe('Ctrl+Shift+Z / Ctrl+Y');
    expect(entries.find((e) => e.labelKey === ACTIONS['zoom-in'].labelKey)!.keys).toBe('+ / =');
    expect(entries.map((e) => e.labelKey).slice(-2)).toEqual(['app.help.wheel', 'app.help.pan']);
    for (const e of entries) expect(catalog.has(e.labelKey), e.labelKey).toBe(true);
  });

  it('writes shortcuts for people', () => {
    expect(formatShortcut('CmdOrCtrl+Shift+E')).toBe('Ctrl+Shift+E');
    expect(formatShortcut('Plus')).toBe('+');
    expect(formatShortcut('F1')).toBe('F1');
  });
});
