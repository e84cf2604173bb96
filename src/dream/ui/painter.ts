/**
 * The brush on the canvas: pointer events become a Stroke (coverage + bounding box) drawn as a
 * tinted layer while painting; on release the stroke dreams (or erases) as one undo step, and
 * the document mask layer is redrawn. The brush is sized in screen pixels: each stroke takes its
 * document-pixel diameter from the zoom when it starts. Shift-click draws a straight line from
 * where the previous stroke ended. The mask tint shows while painting, and after only when asked.
 */
import type { Editor } from '../../app/state/editor.svelte';
import { t } from '../../app/i18n/i18n.svelte';
import '../dream-messages';
import { maskBounds, screenToPhotoSize, Stroke } from './brush';
import { dreamStroke, eraseStroke, type DreamModel } from './dream-actions';
import { dreamDocData } from './dream-doc.svelte';
import type { DreamSettings } from './dream-settings';
import { maskTint } from './geometry';
import type { DreamPanelState } from './panel-state.svelte';

/** Layer of the document's painted mask (low opacity tint). */
export const MASK_LAYER = 'dream-mask';
/** Layer of the stroke being painted. */
export const STROKE_LAYER = 'dream-stroke';
const PAINT_TINT: [number, number, number] = [80, 200, 255];
const ERASE_TINT: [number, number, number] = [255, 90, 90];

/** Turns canvas brush events into dream strokes. */
export class DreamPainter {
  private stroke: Stroke | null = null;
  private frame: number | null = null;
  private settings: DreamSettings | null = null;
  /** True from a stroke's first dab until its dream is done: the mask tint shows meanwhile. */
  private painting = false;
  /** Where the last stroke ended (document pixels), for Shift-click straight lines. */
  private lastEnd: { doc: unknown; x: number; y: number } | null = null;

  constructor(
    private readonly editor: Editor,
    private readonly panel: DreamPanelState,
    private readonly model: () => DreamModel | null,
    private readonly beforeStroke: () => void,
    /** Screen pixels per document pixel now (the view's zoom). */
    private readonly zoom: () => number = () => 1,
  ) {}

  /** The canvas's paint handler (document pixel coordinates; `shift` on the first event draws a straight line from the last stroke's end). */
  readonly onPaint = (x: number, y: number, phase: 'start' | 'move' | 'end', shift = false): void => {
    const doc = this.editor.doc;
    if (!doc) return;
    if (phase === 'start') {
      if (this.editor.job) {
        this.editor.notify(t('dream.busy'));
        return;
      }
      if (!this.panel.brush.eraser && !this.model()) {
        this.editor.notify(t('dream.needModel'));
        return;
      }
      this.beforeStroke();
      const brush = { ...this.panel.brush, size: screenToPhotoSize(this.panel.brush.size, this.zoom()) };
      this.stroke = new Stroke(doc.image.width, doc.image.height, brush);
      // A stroke dreams with the layer and strength set when it began.
      this.settings = this.panel.snapshot();
      this.painting = true;
      this.refreshMask();
      const from = this.lastEnd;
      if (shift && from && from.doc === doc) this.stroke.add(from.x, from.y);
    }
    const stroke = this.stroke;
    if (!stroke) return;
    stroke.add(x, y);
    if (phase !== 'end') {
      this.frame ??= requestAnimationFrame(() => {
        this.frame = null;
        this.drawStroke();
      });
      return;
    }
    this.stroke = null;
    this.lastEnd = { doc, x, y };
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    void this.finish(stroke, this.settings ?? this.panel.snapshot());
  };

  private drawStroke(): void {
    const s = this.stroke;
    if (!s?.bounds) return;
    const tint = maskTint(s.coverage, s.width, s.bounds, s.brush.eraser ? ERASE_TINT : PAINT_TINT);
    this.editor.setLayer(STROKE_LAYER, { image: tint, x: s.bounds.x, y: s.bounds.y, w: s.bounds.w, h: s.bounds.h, opacity: 0.45 * Math.max(0.2, s.brush.opacity), z: 12 });
  }

  private async finish(stroke: Stroke, settings: DreamSettings): Promise<void> {
    this.drawStroke();
    try {
      if (stroke.brush.eraser) eraseStroke(this.editor, stroke);
      else {
        const model = this.model();
        if (model) await dreamStroke(this.editor, stroke, settings, model, this.panel.guide);
      }
    } finally {
      this.painting = false;
      this.editor.setLayer(STROKE_LAYER, null);
      this.refreshMask();
    }
  }

  /** Redraws (or removes) the tinted mask layer of the current document: shown while painting, else only with the mask-tint switch. */
  refreshMask(): void {
    const doc = this.editor.doc;
    const data = doc ? dreamDocData(doc) : null;
    const bounds = data && (this.painting || this.panel.showMask) ? maskBounds(data.mask, data.width, data.height) : null;
    if (!data || !bounds) {
      if (MASK_LAYER in this.editor.layers) this.editor.setLayer(MASK_LAYER, null);
      return;
    }
    const image = maskTint(data.mask, data.width, bounds, PAINT_TINT);
    this.editor.setLayer(MASK_LAYER, { image, x: bounds.x, y: bounds.y, w: bounds.w, h: bounds.h, opacity: 0.3, z: 8 });
  }

  /** Stops any pending redraw (the panel is going away). */
  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.stroke = null;
    this.painting = false;
    this.editor.setLayer(STROKE_LAYER, null);
  }
}
