/**
 * The Dream brush in screen pixels: `[` / `]` steps, the screen→document diameter a stroke takes
 * at a zoom, and the live preview's area (the painted box in view, at screen resolution).
 */
import { describe, expect, it } from 'vitest';
import { BRUSH_SIZE_RANGE, photoToScreenSize, screenToPhotoSize, stepBrushSize, Stroke } from '../../src/dream/ui/brush';
import { previewArea, samplePlane } from '../../src/dream/ui/geometry';

describe('brush size keys', () => {
  it('] grows and [ shrinks by about 20 %, always by at least 1 px, within the range', () => {
    expect(stepBrushSize(64, 1)).toBe(77);
    expect(stepBrushSize(77, -1)).toBe(64);
    expect(stepBrushSize(64, -1)).toBe(53);
    expect(stepBrushSize(3, 1)).toBe(4);
    expect(stepBrushSize(3, -1)).toBe(BRUSH_SIZE_RANGE[0]);
    expect(stepBrushSize(BRUSH_SIZE_RANGE[0], -1)).toBe(BRUSH_SIZE_RANGE[0]);
    expect(stepBrushSize(390, 1)).toBe(BRUSH_SIZE_RANGE[1]);
  });
});

describe('screen-pixel brush', () => {
  it('a 64 px screen brush on a 16 MP photo at fit covers 64 screen px, not 12', () => {
    const zoom = 1000 / 4896; // a 4896-wide photo fitted in 1000 px
    const photo = screenToPhotoSize(64, zoom);
    expect(photoToScreenSize(photo, zoom)).toBeCloseTo(64, 9);
    const s = new Stroke(600, 400, { size: screenToPhotoSize(40, 2), hardness: 1, opacity: 1, eraser: false });
    s.add(300, 200);
    // 40 screen px at 200 % is a 20 px dab in the document.
    expect(s.bounds!.w).toBeGreaterThanOrEqual(19);
    expect(s.bounds!.w).toBeLessThanOrEqual(21);
  });
});

describe('live preview area', () => {
  const visible = { x: 100, y: 50, w: 800, h: 600 };
  it('is the painted box clipped to the view, at screen resolution', () => {
    const r = previewArea(visible, { x: 0, y: 100, w: 300, h: 100 }, 0.5);
    expect(r.area).toEqual({ x: 100, y: 100, w: 200, h: 100 });
    expect([r.w, r.h]).toEqual([100, 50]);
  });
  it('is the whole view when nothing painted shows, never above 1:1 nor maxSide', () => {
    expect(previewArea(visible, { x: 2000, y: 0, w: 10, h: 10 }, 4).area).toEqual(visible);
    expect(previewArea(visible, null, 4)).toMatchObject({ w: 800, h: 600 });
    expect(previewArea(visible, null, 1, 400)).toMatchObject({ w: 400, h: 300 });
  });
  it('samples the mask at the preview size', () => {
    const W = 4;
    const plane = Uint8Array.from([0, 0, 0, 0, 0, 9, 9, 0, 0, 9, 9, 0, 0, 0, 0, 0]);
    expect([...samplePlane(plane, W, { x: 1, y: 1, w: 2, h: 2 }, 1, 1)]).toEqual([9]);
    expect([...samplePlane(plane, W, { x: 0, y: 0, w: 4, h: 4 }, 2, 2)]).toEqual([9, 0, 0, 0]);
  });
});
