/**
 * Live preview of the filter on what the viewport shows: debounced, the previous run cancelled
 * when a new one starts, drawn as layers above the document (a fast screen-resolution picture
 * first when zoomed out, then full resolution). Never touches the document or its history.
 */
import { transferCopy, type Editor } from '../../app/state/editor.svelte';
import type { FilterOptions } from '../compute/filter-options';
import { crop, type Rect, type RgbaImage } from '../../core/image';
import { LivePreview, type PreviewRun } from '../../app/live-preview.svelte';
import { t } from '../../app/i18n/i18n.svelte';
import '../filter-messages';
import {
  alignedRect,
  anchorOffset,
  emulateOutputGeometry,
  kernelReach,
  limitRect,
  lowResRequest,
  previewRequest,
} from './preview-geometry';

/** Layer names: the full-resolution preview and the screen-resolution one under it. */
export const PREVIEW_LAYER = 'filter-preview';
/** The screen-resolution layer (zoomed-out views), drawn under the full-resolution one. */
export const PREVIEW_LOW_LAYER = 'filter-preview-low';
/** Quiet time after the last change before the preview runs. */
export const PREVIEW_DEBOUNCE_MS = 250;

/** What one preview run needs, captured when it is scheduled. */
export interface PreviewRequest {
  image: RgbaImage;
  options: FilterOptions;
  visible: Rect;
  zoom: number;
}

/** The preview's controller; the panel feeds it requests from an effect. */
export class FilterPreview extends LivePreview<PreviewRequest> {
  /** True after a change in the panel, false again after Apply or when the document changes. */
  armed = $state(false);

  /** The whole image's abs-max level for the last image and options asked about (a crop's own max would be brighter than Apply). */
  #absMax: { image: RgbaImage; key: string; value: number } | null = null;

  constructor(editor: Editor) {
    super(editor, [PREVIEW_LAYER, PREVIEW_LOW_LAYER], PREVIEW_DEBOUNCE_MS);
  }

  /** Options as Apply maps them: with 'abs-max', scaled by the whole image's largest response (measured once per image and settings). */
  private async asApplied(image: RgbaImage, options: FilterOptions, signal: AbortSignal): Promise<FilterOptions> {
    if (options.output !== 'abs-max') return options;
    const key = JSON.stringify({ ...options, absMax: undefined, tileSize: undefined });
    const known = this.#absMax;
    if (known && known.image === image && known.key === key) return { ...options, absMax: known.value };
    const value = await this.editor.compute.call('filter-abs-max', { image: transferCopy(image), options }, { signal });
    this.#absMax = { image, key, value };
    return { ...options, absMax: value };
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

  /** Schedules a run and shows it as pending at once, so a 'ready' never describes settings that were just replaced. */
  override schedule(req: PreviewRequest): void {
    this.status = 'busy';
    this.detail = null;
    super.schedule(req);
  }

  protected failed(error: string): string {
    return t('filter.preview.failed', { error });
  }

  protected async render(req: PreviewRequest, { signal, live }: PreviewRun): Promise<string | null> {
    const { image, visible, zoom } = req;
    const options = await this.asApplied(image, req.options, signal);
    if (!live()) return null;
    const call = (input: RgbaImage, opts: FilterOptions) => this.editor.compute.call('filter', { image: input, options: opts }, { signal });
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
      this.editor.setLayer(PREVIEW_LOW_LAYER, { image: crop(out, { x: low.halo, y: low.halo, w, h }), x: visible.x, y: visible.y, w: visible.w, h: visible.h, opacity: 1, z: 9 });
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
