/**
 * The Dream panel's brush: dab shape (size, hardness), stamps spaced along fast pointer moves,
 * stroke bounding boxes, and how strokes merge into the mask (paint over, opacity, eraser).
 * References are written independently from geometry: distances to the stroke's segments.
 */
import { describe, expect, it } from 'vitest';
import { applyStroke, brushProfile, expandRect, maskBounds, stamp, Stroke, unionRect } from '../../src/dream/ui/brush';

/** Distance from point p to segment a–b. */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * vx + (py - ay) * vy) / len2));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

describe('dab shape', () => {
  it('is 1 inside radius·hardness, falls smoothly, and is 0 from the radius on', () => {
    expect(brushProfile(0, 10, 0.5)).toBe(1);
    expect(brushProfile(5, 10, 0.5)).toBe(1);
    expect(brushProfile(10, 10, 0.5)).toBe(0);
    expect(brushProfile(7.5, 10, 0.5)).toBeCloseTo(0.5, 6);
    let prev = 1;
    for (let d = 5; d <= 10; d += 0.25) {
      const v = brushProfile(d, 10, 0.5);
      expect(v).toBeLessThanOrEqual(prev);
      prev = v;
    }
    // Hardness 0: soft from the centre on; hardness 1: a hard disc.
    expect(brushProfile(1, 10, 0)).toBeLessThan(1);
    expect(brushProfile(9.99, 10, 1)).toBe(1);
  });

  it('a hard dab covers exactly the pixels whose centres lie inside the circle', () => {
    const W = 64;
    const H = 48;
    const buf = new Uint8Array(W * H);
    const [cx, cy, size] = [30.3, 20.7, 21];
    const r = stamp(buf, W, H, cx, cy, size, 1)!;
    let area = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < size / 2;
        expect(buf[y * W + x]).toBe(inside ? 255 : 0);
        if (inside) area++;
      }
    }
    expect(Math.abs(area - Math.PI * (size / 2) ** 2)).toBeLessThan(2 * Math.PI * (size / 2));
    // The returned box holds every painted pixel.
    const b = maskBounds(buf, W, H)!;
    expect(b.x).toBeGreaterThanOrEqual(r.x);
    expect(b.y).toBeGreaterThanOrEqual(r.y);
    expect(b.x + b.w).toBeLessThanOrEqual(r.x + r.w);
    expect(b.y + b.h).toBeLessThanOrEqual(r.y + r.h);
  });

  it('a dab off the image changes nothing and reports no box; one over the edge is clipped', () => {
    const buf = new Uint8Array(20 * 20);
    expect(stamp(buf, 20, 20, -30, 5, 10, 1)).toBeNull();
    expect(buf.every((v) => v === 0)).toBe(true);
    const r = stamp(buf, 20, 20, 1, 1, 10, 1)!;
    expect(r).toEqual(maskBounds(buf, 20, 20));
    expect(r.x).toBe(0);
  });
});

describe('strokes', () => {
  it('two pointer events far apart paint a continuous band (interpolated dabs), nothing beyond the radius', () => {
    const W = 200;
    const H = 80;
    const s = new Stroke(W, H, { size: 16, hardness: 1, opacity: 1, eraser: false });
    s.add(20.5, 40.5);
    s.add(170.5, 30.5); // one fast move: 150 px in a single event
    const r = 8;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = segDist(x + 0.5, y + 0.5, 20.5, 40.5, 170.5, 30.5);
        const v = s.coverage[y * W + x]!;
        if (d < r - 1) expect(v, `(${x},${y}) d=${d.toFixed(2)}`).toBe(255);
        if (d >= r) expect(v, `(${x},${y}) d=${d.toFixed(2)}`).toBe(0);
      }
    }
    expect(s.bounds).toEqual(maskBounds(s.coverage, W, H));
  });

  it('the bounding box grows with every move and equals the painted pixels\' box', () => {
    const W = 120;
    const H = 90;
    const s = new Stroke(W, H, { size: 10, hardness: 0.3, opacity: 0.7, eraser: false });
    const pts: [number, number][] = [[10, 10], [40, 15], [60, 70], [100, 60]];
    let prevArea = 0;
    for (const [x, y] of pts) {
      s.add(x, y);
      const b = s.bounds!;
      expect(b.w * b.h).toBeGreaterThanOrEqual(prevArea);
      prevArea = b.w * b.h;
      expect(b).toEqual(maskBounds(s.coverage, W, H));
    }
    // Soft edge: values between 0 and 255 exist, and overlapping dabs never exceed 255 (max, not sum).
    expect(s.coverage.some((v) => v > 0 && v < 255)).toBe(true);
    expect(Math.max(...s.coverage)).toBe(255);
  });

  it('expandRect and unionRect clamp and merge boxes', () => {
    expect(expandRect({ x: 5, y: 10, w: 20, h: 5 }, 8, 30, 40)).toEqual({ x: 0, y: 2, w: 30, h: 21 });
    expect(unionRect(null, { x: 1, y: 2, w: 3, h: 4 })).toEqual({ x: 1, y: 2, w: 3, h: 4 });
    expect(unionRect({ x: 0, y: 0, w: 2, h: 2 }, { x: 5, y: 1, w: 2, h: 4 })).toEqual({ x: 0, y: 0, w: 7, h: 5 });
  });
});

describe('mask merging', () => {
  const W = 30;
  const H = 20;
  const full = new Uint8Array(W * H).fill(255);
  const box = { x: 5, y: 5, w: 10, h: 5 };

  it('paints over with opacity (two half strokes give three quarters) and only inside the box', () => {
    const mask = new Uint8Array(W * H);
    applyStroke(mask, full, W, box, 0.5, false);
    applyStroke(mask, full, W, box, 0.5, false);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 5 && x < 15 && y >= 5 && y < 10;
        expect(Math.abs(mask[y * W + x]! - (inside ? 0.75 * 255 : 0))).toBeLessThanOrEqual(1);
      }
    }
  });

  it('the eraser removes in proportion to coverage and opacity', () => {
    const mask = new Uint8Array(W * H).fill(200);
    const cov = new Uint8Array(W * H);
    cov.fill(128, 6 * W + 5, 6 * W + 15);
    applyStroke(mask, cov, W, box, 1, true);
    expect(mask[6 * W + 7]).toBe(Math.round(200 * (1 - 128 / 255)));
    expect(mask[7 * W + 7]).toBe(200);
    applyStroke(mask, full, W, box, 1, true);
    expect(mask[7 * W + 7]).toBe(0);
    expect(mask[0]).toBe(200);
  });
});
