/**
 * The records of faithfulness scores and method grids: PNG text chunks and CSV rows. Pure and
 * free of tfjs (type imports only), so the panel's exports can use it without pulling the engine in.
 */
import type { FaithfulnessResult } from './faithfulness';
import type { MethodGridResult } from './method-grid';

/** The PNG-text / CSV record of a result: the score, the untouched probability and both curves. */
export function faithfulnessParams(r: FaithfulnessResult): Record<string, string> {
  const list = (v: number[]) => v.map((p) => p.toFixed(4)).join(',');
  return {
    'onirique:faithfulness': r.score.toFixed(4),
    'onirique:faithfulness-base': r.base.toFixed(4),
    'onirique:faithfulness-fractions': r.fractions.map((k) => k.toFixed(2)).join(','),
    'onirique:faithfulness-keep': list(r.keep),
    'onirique:faithfulness-remove': list(r.remove),
  };
}

/** The grid PNG's text chunks: what was explained, and each method's score (the picture's own labels are a 3×5 pixel font). */
export function methodGridParams(r: MethodGridResult): Record<string, string> {
  const p: Record<string, string> = {
    'onirique:operation': 'method-grid',
    'onirique:class': String(r.classIndex),
    'onirique:label': r.label,
    'onirique:methods': r.cells.map((c) => c.method).join(','),
    'onirique:faithfulness-fractions': (r.cells[0]?.faithfulness.fractions ?? []).map((k) => k.toFixed(2)).join(','),
  };
  for (const c of r.cells) {
    p[`onirique:faithfulness:${c.method}`] = c.faithfulness.score.toFixed(4);
    p[`onirique:faithfulness-keep:${c.method}`] = c.faithfulness.keep.map((v) => v.toFixed(4)).join(',');
    p[`onirique:faithfulness-remove:${c.method}`] = c.faithfulness.remove.map((v) => v.toFixed(4)).join(',');
  }
  return p;
}

/** The CSV header of faithfulness rows: the score, the untouched probability, then keep@k and remove@k. */
export function faithfulnessCsvHeader(fractions: number[]): string[] {
  const pct = fractions.map((k) => Math.round(k * 100));
  return ['faithfulness', 'base', ...pct.map((k) => `keep@${k}`), ...pct.map((k) => `remove@${k}`)];
}

/** The CSV cells of one faithfulness result, in `faithfulnessCsvHeader`'s order. */
export function faithfulnessCsvCells(f: FaithfulnessResult): string[] {
  return [f.score, f.base, ...f.keep, ...f.remove].map((v) => v.toFixed(4));
}

/** The grid as CSV: one row per method (method, class, label, probability, then the faithfulness cells). */
export function methodGridCsv(r: MethodGridResult): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = ['method', 'class', 'label', 'probability', ...faithfulnessCsvHeader(r.cells[0]?.faithfulness.fractions ?? [])];
  const rows = r.cells.map((c) => [c.method, String(r.classIndex), q(r.label), r.prob.toFixed(4), ...faithfulnessCsvCells(c.faithfulness)].join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}
