/** The held-out validation split, stratified by class, seeded. */
import { mulberry32, shuffleInPlace } from '../../core/prng';

/** Indices of the photos used to train and to validate. */
export interface Split {
  train: number[];
  val: number[];
}

/**
 * Splits photos (labels[i] = class of photo i) so each class keeps at least one training photo and,
 * when `valFraction` > 0 and the class has two or more, at least one validation photo.
 */
export function stratifiedSplit(labels: ArrayLike<number>, numClasses: number, valFraction: number, seed = 1): Split {
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`the validation fraction must be in [0, 1), not ${valFraction}`);
  const rand = mulberry32(seed);
  const train: number[] = [];
  const val: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) members.push(i);
    shuffleInPlace(members, rand);
    let nVal = Math.round(members.length * valFraction);
    if (valFraction > 0 && members.length >= 2) nVal = Math.max(1, nVal);
    nVal = Math.min(nVal, members.length - 1);
    val.push(...members.slice(0, Math.max(0, nVal)));
    train.push(...members.slice(Math.max(0, nVal)));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}
