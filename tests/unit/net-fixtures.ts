/** Shared fixtures for the net/explain tests: the real model and photos from ../shared. */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readImageFile } from '../../src/cli/image-files';
import { shareIdentityOnWasm } from '../../src/core/net/wasm-identity';

/** Repository root (tests run from anywhere). */
export const repoRoot = path.resolve(__dirname, '..', '..');
/** The shared MobileNet v1 0.75 224 folder. */
export const modelDir = path.resolve(repoRoot, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
/** A shared photo by file name. */
export const photoPath = (name: string): string => path.resolve(repoRoot, '..', 'shared', 'photos', name);

/** Switches the tfjs backend and waits for it (wasm as the app runs it: Identity shares memory). */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to start`);
  await tf.ready();
  shareIdentityOnWasm();
}

/** Reads a shared photo as RGBA. */
export const readPhoto = (name: string) => readImageFile(photoPath(name));

/** Max absolute difference of two typed arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Max |x| of an array. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
