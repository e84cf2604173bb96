/**
 * Live preview while the sliders move: the painted area inside the view (else the whole view) at
 * screen resolution (previewArea), dreamed for one octave and a few steps under the painted mask,
 * guided like the strokes, drawn as a layer over that area. Debounced and cancelled by newer
 * requests (LivePreview).
 */
import type { Editor } from '../../app/state/editor.svelte';
import { crop, downscaleToFit, type Rect, type RgbaImage } from '../../core/image';
import { previewArea, samplePlane } from './geometry';
import type { GuideImage } from './guide-image';
import { LivePreview, type PreviewRun } from '../../app/live-preview.svelte';
import { t } from '../../app/i18n/i18n.svelte';
import '../dream-messages';
import { previewOptions, type DreamSettings } from './dream-settings';

/** Layer name of the preview. */
export const DREAM_PREVIEW_LAYER = 'dream-preview';
/** Quiet time after the last slider move before the preview runs. */
export const DREAM_PREVIEW_DEBOUNCE_MS = 350;

/** What one preview needs, captured when scheduled. */
export interface DreamPreviewRequest {
  image: RgbaImage;
  visible: Rect;
  /** Screen pixels per document pixel: the preview is computed at this resolution (at most 1). */
  zoom: number;
  /** The document's painted mask (document size) and its box; null dreams the whole view unmasked. */
  painted: { mask: Uint8Array; bounds: Rect } | null;
  settings: DreamSettings;
  modelId: string;
  guide: GuideImage | null;
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
    const { image, visible, settings, modelId, painted, guide } = req;
    const { area, w, h } = previewArea(visible, painted?.bounds ?? null, req.zoom);
    const small = downscaleToFit(crop(image, area), Math.max(w, h));
    const scale = small.width / area.w;
    const mask = painted ? samplePlane(painted.mask, image.width, area, small.width, small.height) : null;
    const options = { ...previewOptions(settings, scale, image), guide: guide?.image ?? null };
    const out = await this.editor.compute.call('dream', { image: small, mask, options, modelId }, { signal: run.signal });
    if (run.live()) this.editor.setLayer(DREAM_PREVIEW_LAYER, { image: out, x: area.x, y: area.y, w: area.w, h: area.h, opacity: 1, z: 10 });
    return null;
  }

  protected failed(error: string): string {
    return t('dream.preview.failed', { error });
  }
}
