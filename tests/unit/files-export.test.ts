/** Export: round trips per format, parameters in metadata, EXIF copy, atomic writes that survive failures. */
import { link, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFormat, RgbaImage } from '../../src/host/host-contract';
import { isSameFile, TEMP_FILE_PATTERN, writeFileAtomic } from '../../src/services/atomic-write';
import { encodeImage } from '../../src/services/encode';
import { ExifTag, readExif } from '../../src/services/exif';
import { decodeImage } from '../../src/services/image-decode';
import { readPngText } from '../../src/services/png-text';
import { HostServices } from '../../src/services/host-services';
import { readXmpParameters } from '../../src/services/xmp';
import { meanAbsDiffRgb, photoRgba, tempDir } from './files-fixtures';

let dir: string;
let cleanup: () => Promise<void>;
let photo: RgbaImage;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('onirique-export-'));
  photo = await photoRgba('astronaut.png', { left: 180, top: 60, width: 128, height: 96 });
});
afterAll(() => cleanup());

const tempFiles = async () => (await readdir(dir)).filter((f) => TEMP_FILE_PATTERN.test(f));

describe('encodeImage round trips', () => {
  const cases: [ExportFormat, number, number][] = [
    ['png', 90, 0],
    ['tiff', 90, 0],
    ['jpeg', 95, 2.5],
    ['webp', 95, 2.5],
    ['avif', 90, 3],
  ];
  it.each(cases)('%s at quality %i decodes back within %f levels', async (format, quality, tol) => {
    const bytes = await encodeImage(photo, { format, quality });
    const back = await decodeImage(bytes, `out.${format}`);
    expect([back.image.width, back.image.height]).toEqual([128, 96]);
    const diff = meanAbsDiffRgb(back.image.data, photo.data);
    if (tol === 0) expect(Buffer.from(back.image.data).equals(Buffer.from(photo.data))).toBe(true);
    else expect(diff).toBeLessThanOrEqual(tol);
  });

  it('PNG keeps partial transparency exactly', async () => {
    const img: RgbaImage = { ...photo, data: photo.data.map((v, i) => (i % 4 === 3 ? (i * 7) & 0xff : v)) };
    const back = await decodeImage(await encodeImage(img, { format: 'png' }), 'a.png');
    expect(Buffer.from(back.image.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('JPEG composites transparency onto white', async () => {
    const img: RgbaImage = { width: 16, height: 16, data: new Uint8ClampedArray(16 * 16 * 4) };
    for (let i = 0; i < 256; i++) img.data.set(i < 128 ? [20, 40, 200, 0] : [20, 40, 200, 255], i * 4);
    const back = (await decodeImage(await encodeImage(img, { format: 'jpeg', quality: 95 }), 't.jpg')).image.data;
    const at = (px: number) => [...back.subarray(px * 4, px * 4 + 3)];
    at(16).forEach((v) => expect(v).toBeGreaterThan(245));
    expect(Math.abs(at(16 * 14)[2]! - 200)).toBeLessThan(12);
  });

  it('JPEG quality trades size for fidelity', async () => {
    const lo = await encodeImage(photo, { format: 'jpeg', quality: 20 });
    const hi = await encodeImage(photo, { format: 'jpeg', quality: 95 });
    expect(lo.length).toBeLessThan(hi.length / 2);
    const err = async (b: Buffer) => meanAbsDiffRgb((await decodeImage(b, 'q.jpg')).image.data, photo.data);
    expect(await err(lo)).toBeGreaterThan((await err(hi)) * 1.5);
  });
});

describe('Onirique parameters in metadata', () => {
  const params = { filter: 'Rêve profond — 夢 ✓', kernel: '[[0,-1,0],[-1,5,-1],[0,-1,0]]', 'model sha256': 'ab12' };

  it('PNG: iTXt round trip with UTF-8 text', async () => {
    const png = await encodeImage(photo, { format: 'png', metadata: params });
    expect(readPngText(png)).toEqual({ Software: 'Onirique', filter: params.filter, kernel: params.kernel, 'model sha256': 'ab12' });
    // Still a valid PNG with the same pixels.
    expect(Buffer.from((await decodeImage(png, 'p.png')).image.data).equals(Buffer.from(photo.data))).toBe(true);
  });

  it.each(['jpeg', 'webp', 'avif', 'tiff'] as const)('%s: XMP round trip (UTF-8), plus an ASCII EXIF ImageDescription', async (format) => {
    const bytes = await encodeImage(photo, { format, metadata: params });
    const meta = await sharp(bytes).metadata();
    expect(readXmpParameters(meta.xmp!)).toEqual(params);
    if (format !== 'tiff') {
      const exif = readExif(meta.exif!);
      expect(exif.ifd0.get(ExifTag.Software)).toBe('Onirique');
      expect(exif.ifd0.get(ExifTag.ImageDescription)).toContain('filter=Reve profond ? ? ?');
    }
  });
});

describe('EXIF copy from the source document', () => {
  it.each(['jpeg', 'webp', 'png', 'avif'] as const)('%s export carries the source EXIF fields, with Orientation reset to 1', async (format) => {
    // A camera-like source: stored sideways with Orientation 6 and a few fields.
    const src = join(dir, `camera-${format}.jpg`);
    const stored = await sharp(Buffer.from(photo.data), { raw: { width: 128, height: 96, channels: 4 } }).rotate(-90).raw().toBuffer();
    await writeFile(
      src,
      await sharp(stored, { raw: { width: 96, height: 128, channels: 4 } })
        .withExif({ IFD0: { Make: 'OniCam', Model: 'Dream 1', Artist: 'Ann Lee', Copyright: 'CC0' }, IFD2: { DateTimeOriginal: '2024:05:01 10:20:30' } })
        .withMetadata({ orientation: 6 })
        .jpeg({ quality: 95 })
        .toBuffer(),
    );
    const host = new HostServices(join(dir, `ud-${format}`));
    await host.init();
    const opened = await host.openPath(src);
    if (!opened.ok) throw new Error(opened.error);
    expect([opened.value.orientation, opened.value.image.width, opened.value.image.height]).toEqual([6, 128, 96]);
    const out = join(dir, `copied.${format}`);
    const r = await host.exportTo(out, {
      image: opened.value.image, format, suggestedName: `copied.${format}`, copyExif: true, sourceDocId: opened.value.docId, metadata: { filter: 'edge' },
    });
    expect(r.ok).toBe(true);
    const bytes = await readFile(out);
    const meta = await sharp(bytes).metadata();
    const exif = readExif(meta.exif!);
    expect(exif.ifd0.get(ExifTag.Make)).toBe('OniCam');
    expect(exif.ifd0.get(ExifTag.Model)).toBe('Dream 1');
    expect(exif.ifd0.get(ExifTag.Artist)).toBe('Ann Lee');
    expect(exif.ifd0.get(ExifTag.Copyright)).toBe('CC0');
    expect(exif.exif.get(ExifTag.DateTimeOriginal)).toBe('2024:05:01 10:20:30');
    expect(exif.ifd0.get(ExifTag.Orientation) ?? 1).toBe(1);
    // Reopened, the export is upright as exported: not rotated a second time.
    const back = await decodeImage(bytes, `copied.${format}`);
    expect([back.image.width, back.image.height]).toEqual([128, 96]);
    expect(meanAbsDiffRgb(back.image.data, opened.value.image.data)).toBeLessThan(4);
  });

  it('without copyExif the export carries no camera fields', async () => {
    const src = join(dir, 'camera-plain.jpg');
    await writeFile(src, await sharp({ create: { width: 8, height: 8, channels: 3, background: '#456' } }).withExif({ IFD0: { Make: 'OniCam' } }).jpeg().toBuffer());
    const host = new HostServices(join(dir, 'ud-plain'));
    await host.init();
    const opened = await host.openPath(src);
    if (!opened.ok) throw new Error(opened.error);
    const out = join(dir, 'plain.jpg');
    expect((await host.exportTo(out, { image: opened.value.image, format: 'jpeg', suggestedName: 'plain.jpg', sourceDocId: opened.value.docId })).ok).toBe(true);
    const exif = (await sharp(await readFile(out)).metadata()).exif;
    expect(exif ? readExif(exif).ifd0.get(ExifTag.Make) : undefined).toBeUndefined();
  });
});

describe('atomic writes', () => {
  it('an interrupted streamed write leaves the previous file byte-identical and no temp file', async () => {
    const target = join(dir, 'keep.png');
    const previous = await encodeImage(photo, { format: 'png' });
    await writeFile(target, previous);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(4096).fill(1);
      yield new Uint8Array(4096).fill(2);
      throw new Error('disk unplugged');
    }
    await expect(writeFileAtomic(target, failing())).rejects.toThrow('disk unplugged');
    expect((await readFile(target)).equals(previous)).toBe(true);
    expect(await tempFiles()).toEqual([]);
  });

  it('a successful write replaces the content; through a symlink it replaces the linked file', async () => {
    const target = join(dir, 'real.bin');
    const link = join(dir, 'link.bin');
    await writeFile(target, 'old');
    await symlink(target, link);
    await writeFileAtomic(link, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(target))]).toEqual([1, 2, 3]);
    expect(await isSameFile(link, target)).toBe(true);
    expect(await tempFiles()).toEqual([]);
  });

  it('HostServices.exportTo leaves no partial file when encoding fails, and the previous file intact', async () => {
    const host = new HostServices(join(dir, 'ud-fail'));
    const target = join(dir, 'previous.jpg');
    const previous = Buffer.from('previous export bytes');
    await writeFile(target, previous);
    // Valid for the IPC validator, too wide for JPEG (65,535 px limit): the encoder fails.
    const image = { width: 70_000, height: 1, data: new Uint8ClampedArray(70_000 * 4).fill(128) };
    const r = await host.exportTo(target, { image, format: 'jpeg', suggestedName: 'previous.jpg' });
    expect(r.ok).toBe(false);
    expect((await readFile(target)).equals(previous)).toBe(true);
    const fresh = join(dir, 'never.jpg');
    expect((await host.exportTo(fresh, { image, format: 'jpeg', suggestedName: 'never.jpg' })).ok).toBe(false);
    await expect(readFile(fresh)).rejects.toThrow(/ENOENT/);
    expect(await tempFiles()).toEqual([]);
  });
});

describe('isSameFile', () => {
  it('compares real files, not spellings', async () => {
    const a = join(dir, 'same-a.txt');
    const b = join(dir, 'same-b.txt');
    await writeFile(a, 'x');
    await writeFile(b, 'x');
    await symlink(dir, join(dir, 'loop'));
    expect(await isSameFile(a, `${dir}/./loop/same-a.txt`)).toBe(true);
    await link(a, join(dir, 'hard-a.txt'));
    expect(await isSameFile(a, join(dir, 'hard-a.txt'))).toBe(true);
    expect(await isSameFile(a, b)).toBe(false);
    expect(await isSameFile(a, join(dir, 'missing.txt'))).toBe(false);
  });
});

describe('EXIF copy robustness', () => {
  it('a damaged EXIF block from the source does not block the export', async () => {
    const junk = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0, 0x2a, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    const bytes = await encodeImage(photo, { format: 'jpeg', exif: junk });
    expect((await decodeImage(bytes, 'j.jpg')).image.width).toBe(128);
  });
});
