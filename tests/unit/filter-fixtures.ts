/** Shared setup of the filter tests: wasm backend, real photo crops, and the scipy reference via /usr/bin/python3. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import type { BorderMode } from '../../src/filter/compute/filter-options';
import type { RgbaImage } from '../../src/core/image';

/** Repository root (tests run from it). */
export const repoRoot = resolve(__dirname, '..', '..');
/** The shared photos beside the repository. */
export const photosDir = resolve(repoRoot, '..', 'shared', 'photos');
/** The python with scipy, PIL and OpenCV (Debian's; the first python3 on PATH lacks Pillow). */
export const PYTHON = '/usr/bin/python3';
/** The reference script. */
export const referenceScript = resolve(repoRoot, 'tests', 'reference', 'filter_reference.py');

/** Starts the wasm backend (the CLI's default) and fails loudly if it cannot. */
export async function useWasm(): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not start');
  await tf.ready();
}

/** A w x h crop of a shared photo at (left, top), 8-bit RGBA, unscaled. */
export async function crop(name: string, left: number, top: number, w: number, h: number): Promise<RgbaImage> {
  const { data, info } = await sharp(resolve(photosDir, name))
    .extract({ left, top, width: w, height: h })
    .removeAlpha()
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** Writes the RGB of an RGBA image as an HxWx3 uint8 .npy file. */
export function writeRgbNpy(path: string, img: RgbaImage): void {
  const header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${img.height}, ${img.width}, 3), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  const h = header + ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(h.length, 8);
  const rgb = Buffer.alloc(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) {
    rgb[3 * i] = img.data[4 * i]!;
    rgb[3 * i + 1] = img.data[4 * i + 1]!;
    rgb[3 * i + 2] = img.data[4 * i + 2]!;
  }
  writeFileSync(path, Buffer.concat([pre, Buffer.from(h, 'latin1'), rgb]));
}

/** An array read from a .npy file (float64 or uint8, C order). */
export interface NpyArray {
  shape: number[];
  data: Float64Array | Uint8Array;
}

/** Reads a version-1 .npy file written by numpy. */
export function readNpy(path: string): NpyArray {
  const b = readFileSync(path);
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  const shape = [...(/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').matchAll(/\d+/g)].map((m) => Number(m[0]));
  const body = b.subarray(10 + hlen);
  if (header.includes("'<f8'")) {
    const copy = new Uint8Array(body);
    return { shape, data: new Float64Array(copy.buffer, 0, copy.byteLength / 8) };
  }
  if (header.includes("'|u1'")) return { shape, data: new Uint8Array(body) };
  throw new Error(`unsupported npy header ${header}`);
}

/** One reference computation (see tests/reference/filter_reference.py). */
export interface RefCase {
  id: string;
  /** Pixels to send, or `photo`: an image file python decodes itself with PIL. */
  image?: RgbaImage;
  photo?: string;
  channels: 'luma' | 'rgb' | 'sum';
  kernels: number[][][];
  fn: 'signal.correlate2d' | 'signal.convolve2d' | 'ndimage.correlate' | 'ndimage.convolve';
  boundary: string;
  size: 'same' | 'valid';
  stride?: number;
  dilation?: number;
  map?: 'clamp' | 'abs' | 'abs-max' | 'offset';
}

/** Runs the python reference on every case in one process; returns id → array. */
export function reference(cases: RefCase[]): Map<string, NpyArray> {
  const dir = mkdtempSync(join(tmpdir(), 'onirique-filter-ref-'));
  try {
    const images = new Map<RgbaImage, string>();
    const spec = cases.map((c) => {
      if (!c.image) return c;
      let p = images.get(c.image);
      if (!p) {
        p = join(dir, `img${images.size}.npy`);
        writeRgbNpy(p, c.image);
        images.set(c.image, p);
      }
      const { image: _image, ...rest } = c;
      return { ...rest, image: p };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: spec }));
    execFileSync(PYTHON, [referenceScript, join(dir, 'cases.json'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Map(cases.map((c) => [c.id, readNpy(join(dir, `${c.id}.npy`))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |a - b| relative to the largest |b| (1 when b is all zeros and a is not). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale > 0 ? diff / scale : diff;
}

/** Largest |a - b| over the RGB of an RGBA image and an HxWx3 (or HxWx1 grey) uint8 reference. */
export function maxLevelDiff(img: RgbaImage, ref: NpyArray): number {
  const c = ref.shape[2] ?? 1;
  let d = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    for (let k = 0; k < 3; k++) d = Math.max(d, Math.abs(img.data[4 * i + k]! - ref.data[i * c + (c === 1 ? 0 : k)]!));
  }
  return d;
}

/** Every border mode of the engine. */
export const allBorders: BorderMode[] = ['zero', 'replicate', 'reflect', 'symmetric', 'wrap'];

/** Seeded kernel in [-1, 1), so no case is symmetric by accident. */
export function seededKernel(h: number, w: number, seed: number): number[][] {
  let s = seed >>> 0;
  return Array.from({ length: h }, () =>
    Array.from({ length: w }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32) * 2 - 1;
    }),
  );
}

/** Largest difference between two 8-bit images of the same size, over all channels. */
export function maxByteDiff(a: RgbaImage, b: RgbaImage): number {
  let diff = 0;
  for (let i = 0; i < a.data.length; i++) diff = Math.max(diff, Math.abs(a.data[i]! - b.data[i]!));
  return diff;
}
