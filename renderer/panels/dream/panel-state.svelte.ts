/** The Dream panel's own state: slider values, brush, and the switches; changes bump `revision` for the preview. */
import { perEditor } from '../../state/per-editor';
import { defaultBrushSettings, type BrushSettings } from './brush';
import { clampSettings, defaultDreamSettings, type DreamSettings } from './dream-settings';

/** Settings the user edits in the panel (per window, not per document). */
export class DreamPanelState {
  settings: DreamSettings = $state({ ...defaultDreamSettings });
  brush: BrushSettings = $state({ ...defaultBrushSettings });
  /** The canvas paints (brush tool) while true. */
  brushOn = $state(false);
  showMask = $state(true);
  /** Bumped by every settings change that should refresh the live preview. */
  revision = $state(0);

  /** Notes a settings change (from an input event). */
  touch(): void {
    this.revision++;
  }

  /** The settings as plain, clamped values, safe to send to the worker and keep in history. */
  snapshot(): DreamSettings {
    return clampSettings($state.snapshot(this.settings));
  }
}

/** The editor's Dream panel state: leaving the tab and coming back keeps the sliders and the brush. */
export const dreamPanelStateFor = perEditor(() => new DreamPanelState());
