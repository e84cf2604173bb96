/** How the document is shown: zoom, pan and the before/after split. */

/** Zoom range: 10% to 3200%. */
export const MIN_ZOOM = 0.1;
/** Largest zoom factor. */
export const MAX_ZOOM = 32;

/** Zoom steps the +/- keys walk through. */
export const ZOOM_STEPS = [0.1, 0.125, 0.167, 0.25, 0.333, 0.5, 0.667, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32];

/** View state of the canvas editor. */
export class ViewState {
  /** Zoom factor when not fitting. */
  zoom = $state(1);
  /** When true, the zoom follows the window so the whole photo shows. */
  fit = $state(true);
  panX = $state(0);
  panY = $state(0);
  /** Fraction of the width showing the original (before) on the left; null hides the split. */
  split: number | null = $state(null);
  /** What the split's left side shows: the photo as opened, or the document before its current step. */
  compareWith: 'original' | 'previous' = $state('original');
  /** Zoom actually used, set by the canvas once it knows its size. */
  effectiveZoom = $state(1);
  /** Where the document's top-left corner is drawn, in CSS pixels of the canvas (set by the canvas). */
  originX = $state(0);
  originY = $state(0);
  /** Size of the canvas area in CSS pixels (set by the canvas). */
  viewportW = $state(0);
  viewportH = $state(0);
  // The brush tool and size belong to the view; panels change them only through the methods below.
  #tool: 'pan' | 'brush' = $state('pan');
  #brushSize = $state(64);

  /** What a left-button drag does: pan, or paint through the active panel's brush handler. */
  get tool(): 'pan' | 'brush' {
    return this.#tool;
  }

  /** Brush diameter in screen pixels, for the cursor outline. */
  get brushSize(): number {
    return this.#brushSize;
  }

  /** Gives the left button to the brush (true) or back to panning (false). */
  useBrush(on: boolean): void {
    this.#tool = on ? 'brush' : 'pan';
  }

  /** Sets the brush diameter the cursor outline shows, in screen pixels (at least 1). */
  setBrushSize(size: number): void {
    this.#brushSize = Math.max(1, size);
  }

  /** The part of a `w`×`h` document currently visible, in document pixels (clamped to the image). */
  visibleRect(w: number, h: number): { x: number; y: number; w: number; h: number } {
    const z = this.effectiveZoom || 1;
    const x0 = Math.max(0, Math.floor(-this.originX / z));
    const y0 = Math.max(0, Math.floor(-this.originY / z));
    const x1 = Math.min(w, Math.ceil((this.viewportW - this.originX) / z));
    const y1 = Math.min(h, Math.ceil((this.viewportH - this.originY) / z));
    return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
  }

  /** Fits the photo in the window. */
  zoomFit(): void {
    this.fit = true;
    this.panX = 0;
    this.panY = 0;
  }

  /** Shows pixels 1:1. */
  zoom100(): void {
    this.setZoom(1);
    this.panX = 0;
    this.panY = 0;
  }

  /** Sets an explicit zoom, clamped to the allowed range. */
  setZoom(z: number): void {
    this.fit = false;
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
  }

  /** Next zoom step up (+1) or down (-1) from the current zoom. */
  step(dir: 1 | -1): void {
    const z = this.effectiveZoom;
    const next = dir > 0 ? ZOOM_STEPS.find((s) => s > z * 1.001) : [...ZOOM_STEPS].reverse().find((s) => s < z / 1.001);
    this.setZoom(next ?? z);
  }
}
