/** Shared fixtures of the files-* tests: real photos, hand-built PNG headers, temp folders, pixel diffs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { RgbaImage } from '../../src/host/host-contract';

/** Repository root (tests run from it). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');
/** The shared real photos, outside the repository. */
export const photosDir = resolve(repoRoot, '..', 'shared', 'photos');

/** A PNG chunk with a valid CRC, built independently of the code under test. */
export function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** PNG signature. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An IHDR chunk. */
export function ihdr(width: number, height: number, bitDepth = 8, colorType = 6): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = bitDepth;
  d[9] = colorType;
  return chunk('IHDR', d);
}

/** A PNG whose header claims width x height but whose data is a few zero bytes (a bomb header). */
export function pngBombHeader(width: number, height: number): Buffer {
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

/** A 16-bit RGB PNG, one row, written by hand from 16-bit samples. */
export function png16(samples: number[]): Buffer {
  const w = samples.length / 3;
  const row = Buffer.alloc(1 + w * 6);
  samples.forEach((v, i) => row.writeUInt16BE(v, 1 + 2 * i));
  return Buffer.concat([PNG_SIGNATURE, ihdr(w, 1, 16, 2), chunk('IDAT', deflateSync(row)), chunk('IEND', Buffer.alloc(0))]);
}

/** A fresh temp folder; call the returned cleanup in afterEach/afterAll. */
export async function tempDir(prefix = 'onirique-files-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Mean absolute difference over the RGB channels of two same-size RGBA images. */
export function meanAbsDiffRgb(a: Uint8Array | Uint8ClampedArray, b: Uint8Array | Uint8ClampedArray): number {
  if (a.length !== b.length) throw new Error(`size mismatch ${a.length} vs ${b.length}`);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c]! - b[i + c]!);
    n += 3;
  }
  return sum / n;
}

/** A real photo as upright RGBA via sharp directly (the reference path, not the code under test), optionally cropped. */
export async function photoRgba(file: string, crop?: { left: number; top: number; width: number; height: number }): Promise<RgbaImage> {
  let s = sharp(join(photosDir, file)).autoOrient();
  if (crop) s = s.extract(crop);
  const { data, info } = await s.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}
