/**
 * The patch task of the teach tests: classes = which real photo a crop comes from. Each photo is
 * scaled to a 512-pixel short side and cut into 128-pixel cells; training crops are the cells of one
 * checkerboard colour, held-out crops those of the other (disjoint regions spread over the photo).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { photoPath } from './net-fixtures';

/** The photos (one class each). */
export const patchPhotos = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'dandelions_5312x2988.jpg'];
/** A photo's class name as the data folder spells it. */
export const classOf = (photo: string): string => photo.replace(/[._].*$/, '');
/** Class names in class order (sorted folder names). */
export const patchClasses = patchPhotos.map(classOf).sort();
/** Cell (crop) side in pixels, on the photo scaled to a 512 short side. */
export const CELL = 128;

/** PNG bytes of the photo's cells of one checkerboard colour ('train' = even, 'held-out' = odd). */
export async function photoCells(photo: string, which: 'train' | 'held-out'): Promise<Buffer[]> {
  const scaled = await sharp(photoPath(photo)).resize({ width: 512, height: 512, fit: 'outside' }).png().toBuffer();
  const meta = await sharp(scaled).metadata();
  const out: Buffer[] = [];
  for (let r = 0; r < Math.floor(meta.height! / CELL); r++) {
    for (let c = 0; c < Math.floor(meta.width! / CELL); c++) {
      if ((r + c) % 2 !== (which === 'train' ? 0 : 1)) continue;
      out.push(await sharp(scaled).extract({ left: c * CELL, top: r * CELL, width: CELL, height: CELL }).png().toBuffer());
    }
  }
  return out;
}

/** Writes DIR/<class>/<i>.png with the training cells of every photo; returns DIR. */
export async function writePatchData(dir: string, photos = patchPhotos): Promise<string> {
  for (const photo of photos) {
    mkdirSync(path.join(dir, classOf(photo)), { recursive: true });
    (await photoCells(photo, 'train')).forEach((b, i) => writeFileSync(path.join(dir, classOf(photo), `cell-${i}.png`), b));
  }
  return dir;
}
