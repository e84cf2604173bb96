/** Confusion matrices: counting, accuracy and a plain-text table for the CLI. */

/** counts[true][predicted]. */
export type ConfusionMatrix = number[][];

/** Counts (true, predicted) pairs into a numClasses x numClasses matrix. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): ConfusionMatrix {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]! += 1;
  return m;
}

/** Fraction on the diagonal (0 when the matrix is empty). */
export function matrixAccuracy(m: ConfusionMatrix): number {
  let right = 0;
  let all = 0;
  m.forEach((row, i) => row.forEach((v, j) => ((all += v), i === j && (right += v))));
  return all ? right / all : 0;
}

/** The matrix as aligned text: rows are the true class, columns the predicted one. */
export function formatConfusion(m: ConfusionMatrix, classNames: string[]): string {
  const names = classNames.map((n) => (n.length > 16 ? `${n.slice(0, 15)}…` : n));
  const w = Math.max(5, ...names.map((n) => n.length), ...m.flat().map((v) => String(v).length));
  const head = `${'true \\ predicted'.padEnd(w + 2)}${names.map((n) => n.padStart(w + 1)).join('')}`;
  const rows = m.map((row, i) => `${names[i]!.padEnd(w + 2)}${row.map((v) => String(v).padStart(w + 1)).join('')}`);
  return [head, ...rows].join('\n');
}
