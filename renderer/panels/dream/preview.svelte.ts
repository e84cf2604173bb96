/**
 * Live preview while the sliders move: the visible part of the photo, downscaled to at most
 * PREVIEW_SIDE px, dreamed for one octave and a few steps, drawn as a layer over the viewport.
 * Debounced; a new request cancels the running one. Never touches the document or its history.
 */
import { CancelledError } from '../../compute-client';
import type { Editor } from '../../state/editor.svelte';
import type { Rgba } from '../../worker/protocol';
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
export class DreamPreview {
  enabled = $state(true);
  status: 'idle' | 'busy' | 'ready' | 'error' = $state('idle');
  detail: string | null = $state(null);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private controller: AbortController | null = null;
  private generation = 0;

  constructor(private readonly editor: Editor) {}

  /** Cancels any pending or running preview and removes its layer. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
    this.controller = null;
    this.generation++;
    if (DREAM_PREVIEW_LAYER in this.editor.layers) this.editor.setLayer(DREAM_PREVIEW_LAYER, null);
    if (this.status !== 'idle') this.status = 'idle';
    if (this.detail !== null) this.detail = null;
  }

  /** Runs a preview after the debounce delay, replacing any pending one. */
  schedule(req: DreamPreviewRequest): void {
    if (!this.enabled || req.visible.w === 0 || req.visible.h === 0) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run(req);
    }, DREAM_PREVIEW_DEBOUNCE_MS);
  }

  private async run(req: DreamPreviewRequest): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const gen = ++this.generation;
    const { image, visible, settings, modelId } = req;
    this.status = 'busy';
    this.detail = null;
    try {
      const small = downscaleRgba(cropRgba(image, visible), PREVIEW_SIDE);
      const scale = small.width / visible.w;
      const out = await this.editor.compute.call('dream', { image: small, mask: null, options: previewOptions(settings, scale), modelId }, { signal: controller.signal });
      if (gen !== this.generation) return;
      this.editor.setLayer(DREAM_PREVIEW_LAYER, { image: out, x: visible.x, y: visible.y, w: visible.w, h: visible.h, opacity: 1, z: 10 });
      this.status = 'ready';
    } catch (e) {
      if (gen !== this.generation || e instanceof CancelledError || controller.signal.aborted) return;
      this.status = 'error';
      this.detail = t('dream.preview.failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}
