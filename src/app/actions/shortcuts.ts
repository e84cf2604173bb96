/**
 * The one keyboard handler's logic: matching a key event against the actions' shortcuts (Electron
 * accelerator notation) and writing shortcuts for people. Pure, so it is tested in Node.
 */
import { ACTION_LIST, type ActionDef, type ActionId } from './action-defs';

/** The parts of a KeyboardEvent the matcher reads. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  /** The focused element; only its tag name and (for inputs) its type are read. */
  target?: unknown;
}

/** A parsed shortcut. */
interface Chord {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  /** The key as KeyboardEvent.key names it, lower-cased. */
  key: string;
}

/** Accelerator key names whose KeyboardEvent.key differs. */
const KEY_NAMES: Record<string, string> = { plus: '+', space: ' ', esc: 'escape', return: 'enter' };

function parse(shortcut: string): Chord {
  const parts = shortcut.split('+');
  // 'CmdOrCtrl++' would split into an empty last part: the key itself is '+'.
  const raw = parts.at(-1) === '' ? '+' : (parts.at(-1) ?? '');
  const mods = new Set(parts.slice(0, -1).map((p) => p.toLowerCase()));
  const key = raw.toLowerCase();
  return { mod: mods.has('cmdorctrl') || mods.has('commandorcontrol'), shift: mods.has('shift'), alt: mods.has('alt'), key: KEY_NAMES[key] ?? key };
}

/** Letters and named keys (F1, Enter) are told apart by Shift; punctuation and digits carry it in the character itself. */
function shiftMatters(key: string): boolean {
  return key.length > 1 || key.toLowerCase() !== key.toUpperCase();
}

/** True when the event is that shortcut: Ctrl or Cmd for CmdOrCtrl, Shift where it matters; Alt only when asked for (AltGr layouts add it). */
export function matchesShortcut(e: KeyLike, shortcut: string): boolean {
  const c = parse(shortcut);
  const key = e.key.toLowerCase();
  if (key !== c.key) return false;
  if ((e.ctrlKey || e.metaKey) !== c.mod) return false;
  if (shiftMatters(c.key) && e.shiftKey !== c.shift) return false;
  return !c.alt || e.altKey;
}

/** Input types that take no typing (a checkbox, a slider, a button): shortcuts still fire on them. */
const KEYLESS_INPUTS = new Set(['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color', 'file', 'image']);

/** True when the focus is in a field that takes typing (text, number, a list, a text area), where no shortcut fires. */
export function isTypingTarget(target: unknown): boolean {
  if (typeof target !== 'object' || target === null || !('tagName' in target)) return false;
  const tag = String(target.tagName).toUpperCase();
  if (tag === 'INPUT') return !('type' in target && KEYLESS_INPUTS.has(String(target.type).toLowerCase()));
  return tag === 'SELECT' || tag === 'TEXTAREA';
}

/** True for Esc with no modifier: it closes the open sheet (help), wherever the focus is. */
export function isCloseKey(e: KeyLike): boolean {
  return e.key === 'Escape' && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey;
}

/** Every shortcut of an action: the shown one first, then the alternatives. */
export function shortcutsOf(a: ActionDef): string[] {
  return a.shortcut ? [a.shortcut, ...(a.altShortcuts ?? [])] : [];
}

/** The action a key press triggers, or null (nothing fires while typing in a field). */
export function actionForKey(e: KeyLike, actions: readonly ActionDef[] = ACTION_LIST): ActionId | null {
  if (isTypingTarget(e.target)) return null;
  return actions.find((a) => shortcutsOf(a).some((s) => matchesShortcut(e, s)))?.id ?? null;
}

/** A shortcut as the toolbar's tooltips and the help sheet show it, e.g. 'Ctrl+Shift+E', '+'. */
export function formatShortcut(shortcut: string): string {
  const parts = shortcut.split('+');
  const key = parts.at(-1) === '' ? '+' : (parts.at(-1) ?? '');
  const mods = parts.slice(0, -1).map((p) => (/^(cmdorctrl|commandorcontrol)$/i.test(p) ? 'Ctrl' : p));
  return [...mods, key === 'Plus' ? '+' : key].join('+');
}

/** One line of the help sheet: the keys and the label key of what they do. */
export interface HelpEntry {
  keys: string;
  labelKey: string;
}

/** Pointer gestures the sheet lists after the actions (they are not actions: the canvas handles them). */
export const GESTURE_HELP: readonly HelpEntry[] = [
  { keys: 'Wheel', labelKey: 'app.help.wheel' },
  { keys: 'Space-drag, middle button', labelKey: 'app.help.pan' },
];

/** The help sheet: every action with a shortcut (all its keys), then the canvas gestures. */
export function helpEntries(actions: readonly ActionDef[] = ACTION_LIST): HelpEntry[] {
  const keyed = actions.filter((a) => a.shortcut).map((a) => ({ keys: shortcutsOf(a).map(formatShortcut).join(' / '), labelKey: a.labelKey }));
  return [...keyed, ...GESTURE_HELP];
}
