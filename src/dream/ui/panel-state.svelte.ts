/** The Dream panel's own state: slider values, brush, and the switches; changes bump `revision` for the preview. */
import { defaultBrushSettings, type BrushSettings } from './brush';
import type { GuideImage } from './guide-image';
import { clampSettings, defaultDreamSettings, type DreamSettings } from './dream-settings';

/** Settings the user edits in the panel (per window, not per document). */
export class DreamPanelState {
  settings: DreamSettings = $state({ ...defaultDreamSettings });
  brush: BrushSettings = $state({ ...defaultBrushSettings });
  /** The canvas paints (brush tool) while true. */
  brushOn = $state(false);
  /** The painted mask stays tinted after strokes (it always shows while painting); off by default so the result is seen as it is. */
  showMask = $state(false);
  /** Guided dream: strokes and the whole-photo dream climb towards this image's features (null: a plain dream). */
  guide: GuideImage | null = $state.raw(null);
  /** Bumped by every settings change that should refresh the live preview. */
  revision = $state(0);

  /** Notes a settings change (from an input event). */
  touch(): void {
    this.revision++;
  }

  /**
   * Puts back the settings of the last dream an export describes (`onirique:dream`, a JSON list of
   * each applied dream's settings); false when it carries none.
   */
  restore(p: Record<string, string>): boolean {
    let list: unknown;
    try {
      list = JSON.parse(p['onirique:dream'] ?? 'null');
    } catch {
      return false;
    }
    const last: unknown = Array.isArray(list) ? list[list.length - 1] : null;
    if (typeof last !== 'object' || last === null) return false;
    const next: DreamSettings = { ...this.settings };
    for (const key of Object.keys(defaultDreamSettings) as (keyof DreamSettings)[]) {
      const v: unknown = Reflect.get(last, key);
      if (key === 'layer' ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v)) Object.assign(next, { [key]: v });
    }
    this.settings = clampSettings(next);
    this.touch();
    return true;
  }

  /** The settings as plain, clamped values, safe to send to the worker and keep in history. */
  snapshot(): DreamSettings {
    return clampSettings($state.snapshot(this.settings));
  }
}
