/**
 * Live preview of the filter on what the viewport shows: debounced, the previous run cancelled
 * when a new one starts, drawn as layers above the document (a fast screen-resolution picture
 * first when zoomed out, then full resolution). Never touches the document or its history.
 */
import type { Editor } from '../../state/editor.svelte';
import type { FilterOptions } from '../../worker/compute/filter-options';
import type { Rgba } from '../../worker/protocol';
import { LivePreview, type PreviewRun } from '../live-preview.svelte';
import { perEditor } from '../../state/per-editor';
import { t } from '../../i18n/i18n.svelte';
import '../../i18n/messages-filter';
import {
  alignedRect,
  anchorOffset,
  crop,
  emulateOutputGeometry,
  kernelReach,
  limitRect,
  lowResRequest,
  previewRequest,
  type Rect,
} from './preview-geometry';

/** Layer names: the full-resolution preview and the screen-resolution one under it. */
export const PREVIEW_LAYER = 'filter-preview';
/** The screen-resolution layer (zoomed-out views), drawn under the full-resolution one. */
export const PREVIEW_LOW_LAYER = 'filter-preview-low';
/** Quiet time after the last change before the preview runs. */
export const PREVIEW_DEBOUNCE_MS = 250;

/** What one preview run needs, captured when it is scheduled. */
export interface PreviewRequest {
  image: Rgba;
  options: FilterOptions;
  visible: Rect;
  zoom: number;
}

/** The preview's controller; the panel feeds it requests from an effect. */
export class FilterPreview extends LivePreview<PreviewRequest> {
  /** True after a change in the panel, false again after Apply or when the document changes. */
  armed = $state(false);

  constructor(editor: Editor) {
    super(editor, [PREVIEW_LAYER, PREVIEW_LOW_LAYER], PREVIEW_DEBOUNCE_MS);
  }

  /** Starts previewing after the next request. */
  arm(): void {
    this.armed = true;
  }

  /** Stops previewing until the next change, removing the preview. */
  disarm(): void {
    this.armed = false;
    this.stop();
  }

  protected failed(error: string): string {
    return t('filter.preview.failed', { error });
  }

  protected async render(req: PreviewRequest, { signal, live }: PreviewRun): Promise<string | null> {
    const { image, options, visible, zoom } = req;
    const call = (input: Rgba, opts: FilterOptions) => this.editor.compute.call('filter', { image: input, options: opts }, { signal });
    // Screen resolution first: at zoom 1/f the screen shows about one pixel in f each way.
    const f = zoom < 1 ? Math.min(16, Math.floor(1 / zoom)) : 1;
    const full = limitRect(visible);
    const covers = full.w === visible.w && full.h === visible.h;
    if (f >= 2) {
      const low = lowResRequest(image, visible, options, f);
      const out = await call(low.input, low.options);
      if (!live()) return null;
      const w = Math.min(out.width - low.halo, Math.ceil(visible.w / f));
      const h = Math.min(out.height - low.halo, Math.ceil(visible.h / f));
      this.editor.setLayer(PREVIEW_LOW_LAYER, { image: crop(out, low.halo, low.halo, w, h), x: visible.x, y: visible.y, w: visible.w, h: visible.h, opacity: 1, z: 9 });
      if (PREVIEW_LAYER in this.editor.layers) this.editor.setLayer(PREVIEW_LAYER, null);
    }
    const { ay, ax } = anchorOffset(options, kernelReach(options));
    const rect = alignedRect(full, options.stride, ay, ax);
    const exact = previewRequest(image, rect, options);
    const out = await call(exact.input, exact.options);
    if (!live()) return null;
    const shown = emulateOutputGeometry(out, rect, image.width, image.height, options);
    this.editor.setLayer(PREVIEW_LAYER, { image: shown, x: rect.x, y: rect.y, opacity: 1, z: 10 });
    if (covers && PREVIEW_LOW_LAYER in this.editor.layers) this.editor.setLayer(PREVIEW_LOW_LAYER, null);
    return covers ? null : t('filter.preview.partial', { w: full.w, h: full.h });
  }
}

/** The editor's Filter preview controller (its on/off switch survives a tab switch). */
export const filterPreviewFor = perEditor((editor) => new FilterPreview(editor));
