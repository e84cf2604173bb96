/**
 * The window's own state beside the editor: the open side panel, the help sheet, the view, and the
 * panels' state objects. Panels unmount when their tab closes; what the user set in them (a kernel,
 * slider values, the live-preview switches, CAM results) lives here, so coming back finds it as it was.
 */
import type { Editor } from './state/editor.svelte';
import { ViewState } from './state/view.svelte';
import { SavePrompt } from './save-prompt.svelte';
import { DreamPanelState } from '../dream/ui/panel-state.svelte';
import { DreamPreview } from '../dream/ui/preview.svelte';
import { ExplainState } from '../explain/ui/explain-state.svelte';
import { PhotoClasses } from '../explain/ui/photo-classes.svelte';
import { FilterPanelState } from '../filter/ui/panel-state.svelte';
import { FilterPreview } from '../filter/ui/preview.svelte';
import { TeachState } from '../teach/ui/teach-state.svelte';

/** The side panels, in tab order. */
export const PANEL_IDS = ['filter', 'dream', 'explain', 'teach'] as const;
/** A side panel. */
export type PanelId = (typeof PANEL_IDS)[number];

/** The panels' state, made once per window. */
export class PanelStates {
  readonly filter = new FilterPanelState();
  readonly filterPreview: FilterPreview;
  readonly dream = new DreamPanelState();
  readonly dreamPreview: DreamPreview;
  /** The photo's classes, shared by Explain and Dream. */
  readonly classes: PhotoClasses;
  readonly explain: ExplainState;
  readonly teach: TeachState;

  constructor(editor: Editor) {
    this.filterPreview = new FilterPreview(editor);
    this.dreamPreview = new DreamPreview(editor);
    this.classes = new PhotoClasses(editor);
    this.explain = new ExplainState(editor, this.classes);
    this.teach = new TeachState(editor);
  }
}

/** The app shell's state for one window. */
export class AppShell {
  #panel: PanelId = $state('filter');
  #help = $state(false);
  readonly view = new ViewState();
  readonly panels: PanelStates;
  /** "Save changes?" before unsaved edits would be replaced. */
  readonly savePrompt = new SavePrompt();

  constructor(readonly editor: Editor) {
    this.panels = new PanelStates(editor);
  }

  /** The side panel on show. */
  get panel(): PanelId {
    return this.#panel;
  }

  /** True while the help sheet shows. */
  get help(): boolean {
    return this.#help;
  }

  /** Shows a side panel. */
  showPanel(id: PanelId): void {
    this.#panel = id;
  }

  /** Makes a kernel (a first-layer filter from Teach's Network view) the Filter panel's, and shows that panel. */
  useKernel(matrix: number[][], name: string): void {
    this.panels.filter.adoptKernel({ name, matrix });
    this.#panel = 'filter';
  }

  /** Opens or closes the help sheet. */
  setHelp(open: boolean): void {
    this.#help = open;
  }
}
