/** What the panel draws of faithfulness scores and the method grid: SVG paths, the best cell. Pure. */
import type { MethodGridCell } from '../compute/method-grid';

/** An SVG path through (fractions[i], values[i]) in a w×h box: k spans the width, probability 1 is the top. */
export function curvePath(fractions: number[], values: number[], w: number, h: number): string {
  const k0 = fractions[0] ?? 0;
  const k1 = fractions[fractions.length - 1] ?? 1;
  return values
    .map((v, i) => {
      const x = k1 > k0 ? ((fractions[i]! - k0) / (k1 - k0)) * w : 0;
      const y = (1 - Math.min(1, Math.max(0, v))) * h;
      return `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** The grid cell whose map the network depends on most (highest score), or null for an empty grid. */
export function bestCell(cells: readonly MethodGridCell[]): MethodGridCell | null {
  return cells.reduce<MethodGridCell | null>((b, c) => (!b || c.faithfulness.score > b.faithfulness.score ? c : b), null);
}
