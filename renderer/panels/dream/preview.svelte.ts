/**
 * Live preview while the sliders move: the visible part of the photo, downscaled to at most
 * PREVIEW_SIDE px, dreamed for one octave and a few steps, drawn as a layer over the viewport.
 * Debounced and cancelled by newer requests (LivePreview).
 */
import type { Editor } from '../../state/editor.svelte';
import type { Rgba } from '../../worker/protocol';
import { LivePreview, type PreviewRun } from '../live-preview.svelte';
import { perEditor } from '../../state/per-editor';
import { t } from '../../i18n/i18n.svelte';
import '../../i18n/messages-dream';
import type { Rect } from './brush';
import { previewOptions, type DreamSettings } from './dream-settings';
import { cropRgba, downscaleRgba } from './geometry';

/** Layer name of the preview. */
export const DREAM_PREVIEW_LAYER = 'dream-preview';
/** Longest side of the dreamed preview crop. */
export const PREVIEW_SIDE = 256;
/** Quiet time after the last slider move before the preview runs. */
export const DREAM_PREVIEW_DEBOUNCE_MS = 350;

/** What one preview needs, captured when scheduled. */
export interface DreamPreviewRequest {
  image: Rgba;
  visible: Rect;
  settings: DreamSettings;
  modelId: string;
}

/** The preview's controller. */
export class DreamPreview extends LivePreview<DreamPreviewRequest> {
  constructor(editor: Editor) {
    super(editor, [DREAM_PREVIEW_LAYER], DREAM_PREVIEW_DEBOUNCE_MS);
  }

  /** Runs a preview after the debounce delay, replacing any pending one (not while disabled or for an empty view). */
  override schedule(req: DreamPreviewRequest): void {
    if (!this.enabled || req.visible.w === 0 || req.visible.h === 0) return;
    super.schedule(req);
  }

  protected async render(req: DreamPreviewRequest, run: PreviewRun): Promise<string | null> {
    const { image, visible, settings, modelId } = req;
    const small = downscaleRgba(cropRgba(image, visible), PREVIEW_SIDE);
    const scale = small.width / visible.w;
    const out = await this.editor.compute.call('dream', { image: small, mask: null, options: previewOptions(settings, scale), modelId }, { signal: run.signal });
    if (run.live()) this.editor.setLayer(DREAM_PREVIEW_LAYER, { image: out, x: visible.x, y: visible.y, w: visible.w, h: visible.h, opacity: 1, z: 10 });
    return null;
  }

  protected failed(error: string): string {
    return t('dream.preview.failed', { error });
  }
}

/** The editor's Dream preview controller (its on/off switch survives a tab switch). */
export const dreamPreviewFor = perEditor((editor) => new DreamPreview(editor));
