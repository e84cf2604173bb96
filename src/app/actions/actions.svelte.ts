/**
 * What each action of the list (action-defs.ts) does in the renderer: when it is enabled and how it
 * is performed. The toolbar, the keyboard handler and the native menu all run actions through here.
 */
import { ACTIONS, isActionId, type ActionId } from './action-defs';
import { formatShortcut } from './shortcuts';
import { exportPng, openWithDialog, saveAndClose } from './document-actions';
import type { AppShell, PanelId } from '../shell.svelte';
import { i18n, type Locale } from '../i18n/i18n.svelte';
import { applyFilter, canApplyFilter } from '../../filter/ui/apply.svelte';
import { canDream, dreamWholePhoto } from '../../dream/ui/dream-actions';
import { stepBrushSize } from '../../dream/ui/brush';

/** An action's behaviour. */
interface ActionImpl {
  /** Whether the toolbar shows it enabled; the keyboard and the menu skip a disabled action. */
  enabled(shell: AppShell): boolean;
  perform(shell: AppShell): void | Promise<unknown>;
}

const always = (): boolean => true;

function panel(id: PanelId): ActionImpl {
  return { enabled: always, perform: (s) => s.showPanel(id) };
}

/** `[` and `]`: the Dream brush's diameter (screen pixels) a step down or up, while the Dream panel shows. */
function brushStep(dir: 1 | -1): ActionImpl {
  return {
    enabled: (s) => s.panel === 'dream',
    perform: (s) => {
      const b = s.panels.dream.brush;
      b.size = stepBrushSize(b.size, dir);
    },
  };
}

function language(locale: Locale): ActionImpl {
  return {
    enabled: always,
    perform: (s) => {
      i18n.locale = locale;
      void s.editor.host.setSettings({ locale });
    },
  };
}

const IMPLS: { readonly [K in ActionId]: ActionImpl } = {
  // Open stays clickable during a job (it was never greyed out); the job guard is inside.
  open: { enabled: always, perform: (s) => openWithDialog(s) },
  export: { enabled: (s) => s.editor.doc !== null, perform: (s) => exportPng(s) },
  // Reading the revision makes the toolbar refresh on every history change.
  undo: { enabled: (s) => s.editor.revision >= 0 && s.editor.history.canUndo, perform: (s) => s.editor.undo() },
  redo: { enabled: (s) => s.editor.revision >= 0 && s.editor.history.canRedo, perform: (s) => s.editor.redo() },
  'zoom-in': { enabled: always, perform: (s) => s.view.step(1) },
  'zoom-out': { enabled: always, perform: (s) => s.view.step(-1) },
  'zoom-fit': { enabled: always, perform: (s) => s.view.zoomFit() },
  'zoom-100': { enabled: always, perform: (s) => s.view.zoom100() },
  compare: {
    enabled: always,
    perform: (s) => {
      s.view.split = s.view.split === null ? 0.5 : null;
    },
  },
  'panel-filter': panel('filter'),
  'panel-dream': panel('dream'),
  'panel-explain': panel('explain'),
  'panel-teach': panel('teach'),
  // The panel actions show their panel first, so the result (and the job's layers) are in view.
  'apply-filter': {
    enabled: (s) => canApplyFilter(s.editor, s.panels.filter),
    perform: (s) => {
      s.showPanel('filter');
      return applyFilter(s.editor, s.panels.filter, s.panels.filterPreview);
    },
  },
  'dream-whole': {
    enabled: (s) => canDream(s.editor),
    perform: (s) => {
      s.showPanel('dream');
      return dreamWholePhoto(s.editor, s.panels.dream, s.panels.dreamPreview);
    },
  },
  'brush-smaller': brushStep(-1),
  'brush-larger': brushStep(1),
  'dream-mask-tint': {
    enabled: (s) => s.panel === 'dream',
    perform: (s) => {
      s.panels.dream.showMask = !s.panels.dream.showMask;
    },
  },
  'run-cam': {
    enabled: (s) => s.editor.doc !== null && s.editor.job === null && s.panels.explain.targetIndex !== null,
    perform: (s) => {
      s.showPanel('explain');
      return s.panels.explain.run();
    },
  },
  train: {
    enabled: (s) => s.panels.teach.blocker === null,
    perform: (s) => {
      s.showPanel('teach');
      return s.panels.teach.train();
    },
  },
  'cancel-job': { enabled: (s) => s.editor.job !== null, perform: (s) => s.editor.cancelJob() },
  'language-en': language('en'),
  'language-fr': language('fr'),
  help: { enabled: always, perform: (s) => s.setHelp(!s.help) },
  'save-and-close': { enabled: always, perform: (s) => saveAndClose(s) },
};

/** True when the action can run now. */
export function isEnabled(shell: AppShell, id: ActionId): boolean {
  return IMPLS[id].enabled(shell);
}

/** Runs an action if it is enabled (ids from the menu channel are checked first). */
export function runAction(shell: AppShell, id: unknown): void {
  if (!isActionId(id) || !IMPLS[id].enabled(shell)) return;
  void IMPLS[id].perform(shell);
}

/** The action's shortcut for a tooltip ('' when it has none). */
export function shortcutHint(id: ActionId): string {
  const s = ACTIONS[id].shortcut;
  return s ? formatShortcut(s) : '';
}
