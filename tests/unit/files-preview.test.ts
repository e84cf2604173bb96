/** Opening big photos: a fast upright preview first, then the full pixels; a failed full decode is a clear error. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/host/host-contract';
import { HostServices, PREVIEW_MIN_PIXELS } from '../../src/services/host-services';
import { decodeImage, decodePreview } from '../../src/services/image-decode';
import { meanAbsDiffRgb, photoRgba, photosDir, tempDir } from './files-fixtures';

const BIG = 'dandelions_5312x2988.jpg';

/** The reference downscale of a full decode to the preview's size, by sharp from raw pixels. */
async function shrink(img: RgbaImage, width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 4 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer());
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('onirique-preview-')));
afterAll(() => cleanup());

describe('decodePreview', () => {
  it('is a reduced version of the full decode of a 16 MP JPEG', async () => {
    const bytes = await readFile(join(photosDir, BIG));
    const preview = await decodePreview(bytes, BIG);
    const full = await decodeImage(bytes, BIG);
    expect(preview.fullSize).toEqual({ width: 5312, height: 2988 });
    expect(Math.max(preview.image.width, preview.image.height)).toBeLessThanOrEqual(1600);
    expect(preview.image.width / preview.image.height).toBeCloseTo(5312 / 2988, 2);
    expect(preview.image.data.byteLength).toBeLessThan(full.image.data.byteLength / 10);
    const ref = await shrink(full.image, preview.image.width, preview.image.height);
    expect(meanAbsDiffRgb(preview.image.data, ref)).toBeLessThan(3);
  });

  it('applies the EXIF orientation', async () => {
    const name = 'chelsea_exif_orientation6.jpg';
    const preview = await decodePreview(await readFile(join(photosDir, name)), name, { maxPreviewSide: 226 });
    expect(preview.orientation).toBe(6);
    expect(preview.fullSize).toEqual({ width: 451, height: 300 });
    expect(preview.image.width).toBe(226);
    const upright = await photoRgba('chelsea.png');
    const ref = await shrink(upright, preview.image.width, preview.image.height);
    // Lossy JPEG vs the PNG: close when upright, far when rotated the wrong way.
    expect(meanAbsDiffRgb(preview.image.data, ref)).toBeLessThan(12);
  });
});

describe('HostServices opening a big photo', () => {
  it('answers with a preview, then the full pixels once', async () => {
    const host = new HostServices(join(dir, 'ud-big'));
    await host.init();
    const r = await host.openPath(join(photosDir, BIG));
    if (!r.ok) throw new Error(r.error);
    expect(5312 * 2988).toBeGreaterThan(PREVIEW_MIN_PIXELS);
    expect(r.value.fullSize).toEqual({ width: 5312, height: 2988 });
    expect(r.value.image.width).toBeLessThan(5312);
    const full = await host.fullImage(r.value.docId);
    if (!full.ok) throw new Error(full.error);
    const direct = await decodeImage(await readFile(join(photosDir, BIG)), BIG);
    expect(full.value.width).toBe(5312);
    expect(Buffer.from(full.value.data).equals(Buffer.from(direct.image.data))).toBe(true);
    expect(await host.fullImage(r.value.docId)).toMatchObject({ ok: false });
  });

  it('opens small photos at full resolution at once', async () => {
    const host = new HostServices(join(dir, 'ud-small'));
    await host.init();
    const r = await host.openPath(join(photosDir, 'chelsea.png'));
    if (!r.ok) throw new Error(r.error);
    expect(r.value.fullSize).toBeUndefined();
    expect(r.value.image.width).toBe(451);
  });

  it('reports a truncated big JPEG when its full pixels are asked for', async () => {
    const bytes = await readFile(join(photosDir, BIG));
    const host = new HostServices(join(dir, 'ud-cut'));
    const r = await host.openBytes('cut.jpg', new Uint8Array(bytes.subarray(0, Math.round(bytes.length * 0.6))));
    if (!r.ok) throw new Error(r.error);
    expect(r.value.fullSize).toEqual({ width: 5312, height: 2988 });
    const full = await host.fullImage(r.value.docId);
    expect(full.ok).toBe(false);
    if (!full.ok) expect(full.error).toMatch(/“cut\.jpg” is truncated or damaged/);
  });
});
