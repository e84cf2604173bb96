/** The Teach panel's pure logic: what blocks training, the chart's scales and ticks, filters as images and kernels. */
import type { RgbaImage } from '../../core/image';
import type { EpochStats } from '../compute/head';
import type { LayerFilters } from '../compute/teach-op';
import type { NetworkRow } from '../compute/network-table';

/** Fewest and most classes the panel makes. */
export const MIN_CLASSES = 2;
/** Most classes the panel makes. */
export const MAX_CLASSES = 20;
/** Fewest photos per class (one to train on, one to validate). */
export const MIN_PHOTOS = 2;

/** A class as the blocker check sees it. */
export interface ClassSummary {
  name: string;
  photos: number;
}

/** Why training cannot start (an i18n key), or null when it can. */
export function trainBlocker(classes: readonly ClassSummary[], hasModel: boolean, busy: boolean): string | null {
  if (!hasModel) return 'teach.blocked.model';
  if (busy) return 'teach.blocked.job';
  if (classes.length < MIN_CLASSES || classes.length > MAX_CLASSES) return 'teach.blocked.classes';
  const names = classes.map((c) => c.name.trim());
  if (names.some((n) => !n) || new Set(names).size !== names.length) return 'teach.blocked.names';
  if (classes.some((c) => c.photos < MIN_PHOTOS)) return 'teach.blocked.photos';
  return null;
}

/** Maps [d0, d1] onto [r0, r1] linearly (a flat domain maps to the middle of the range). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** The chart's domains: epochs 1..max(epochs planned, run), and y from 0 to the largest value (accuracy: 0..1). */
export function chartDomain(history: readonly EpochStats[], epochs: number, kind: 'loss' | 'accuracy'): { x: [number, number]; y: [number, number] } {
  const x: [number, number] = [1, Math.max(2, epochs, history.length)];
  if (kind === 'accuracy') return { x, y: [0, 1] };
  const values = history.flatMap((e) => [e.loss, e.valLoss]).filter((v) => Number.isFinite(v));
  return { x, y: [0, Math.max(1e-3, ...values) * 1.05] };
}

/** An SVG path through the finite points (a gap where a value is NaN); '' when none. */
export function linePath(points: readonly [number, number][]): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The values of filter `j` as [y][x][c] (c < inChannels). */
function filterAt(f: LayerFilters, j: number, y: number, x: number, c: number): number {
  return f.weights[((y * f.kw + x) * f.inChannels + c) * f.count + j]!;
}

/**
 * Filter `j` as a small image, `zoom` pixels per weight: RGB for filters that see three channels
 * (each filter stretched to its own range, 0 = mid grey), else their channels' mean in grey.
 */
export function filterImage(f: LayerFilters, j: number, zoom = 6): RgbaImage {
  const w = f.kw * zoom;
  const h = f.kh * zoom;
  const rgb = f.inChannels === 3;
  let max = 1e-12;
  for (let y = 0; y < f.kh; y++) for (let x = 0; x < f.kw; x++) for (let c = 0; c < f.inChannels; c++) max = Math.max(max, Math.abs(filterAt(f, j, y, x, c)));
  const data = new Uint8ClampedArray(w * h * 4);
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const y = Math.floor(py / zoom);
      const x = Math.floor(px / zoom);
      const o = (py * w + px) * 4;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        if (rgb) v = filterAt(f, j, y, x, c);
        else {
          for (let k = 0; k < f.inChannels; k++) v += filterAt(f, j, y, x, k);
          v /= f.inChannels;
        }
        data[o + c] = 127.5 + (127.5 * v) / max;
      }
      data[o + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

/**
 * Filter `j` of a first layer as a Filter-panel kernel: the colour planes summed (on a grey photo
 * R = G = B, so this is exactly what the filter computes there), scaled so the absolute weights add
 * to 1 (a result stays within the 8-bit range), rounded to 4 decimals.
 */
export function kernelFromFilter(f: LayerFilters, j: number): number[][] {
  const m = Array.from({ length: f.kh }, (_, y) => Array.from({ length: f.kw }, (_, x) => {
    let s = 0;
    for (let c = 0; c < f.inChannels; c++) s += filterAt(f, j, y, x, c);
    return s;
  }));
  const total = m.flat().reduce((a, v) => a + Math.abs(v), 0) || 1;
  return m.map((r) => r.map((v) => Math.round((v / total) * 1e4) / 1e4 || 0));
}

/** The running shape of a photo through the network: the photo, the resized input, then each layer's output that changes it. */
export function runningShape(rows: readonly NetworkRow[], photo: { width: number; height: number } | null): string[] {
  const fmt = (s: readonly number[]) => s.map((d) => (d < 0 ? '?' : String(d))).join('×');
  const out: string[] = photo ? [`${photo.width}×${photo.height}×3`] : [];
  let last = '';
  for (const r of rows) {
    const s = fmt(r.outputShape);
    if (s !== last) out.push(s);
    last = s;
  }
  return out;
}

/** Photo indices that the head got wrong, with their true and predicted class (each photo once). */
export function misclassified(evalPhotos: readonly number[], predicted: readonly number[], labels: readonly number[]): { photo: number; truth: number; predicted: number }[] {
  const seen = new Set<number>();
  const out: { photo: number; truth: number; predicted: number }[] = [];
  evalPhotos.forEach((p, i) => {
    const pred = predicted[i]!;
    if (seen.has(p) || pred === labels[p]) return;
    seen.add(p);
    out.push({ photo: p, truth: labels[p]!, predicted: pred });
  });
  return out;
}

/** An EpochStats from a progress report's metrics, or null when the report is not an epoch's. */
export function epochFromMetrics(m: Readonly<Record<string, number>> | undefined): EpochStats | null {
  if (!m || m.epoch === undefined) return null;
  const n = (k: string) => m[k] ?? NaN;
  return { epoch: n('epoch'), loss: n('loss'), accuracy: n('accuracy'), valLoss: n('valLoss'), valAccuracy: n('valAccuracy'), etaSeconds: n('etaSeconds') };
}
