/** Opening real and generated files: orientation, colour profiles, bit depth, every supported container. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, heicSupported } from '../../src/services/image-decode';
import { chunk, meanAbsDiffRgb, photoRgba, photosDir, png16 } from './files-fixtures';

/** Reference P3 → sRGB conversion by the published matrices (independent of lcms). */
function p3ToSrgb(rgb: number[]): number[] {
  const lin = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const enc = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
  const [r, g, b] = rgb.map((v) => lin(v / 255)) as [number, number, number];
  const X = 0.4865709 * r + 0.2656677 * g + 0.1982173 * b;
  const Y = 0.2289746 * r + 0.6917385 * g + 0.0792869 * b;
  const Z = 0.0 * r + 0.0451134 * g + 1.0439444 * b;
  const out = [3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z, -0.969266 * X + 1.8760108 * Y + 0.041556 * Z, 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z];
  return out.map((v) => Math.round(255 * enc(Math.min(1, Math.max(0, v)))));
}

describe('decodeImage on real photos', () => {
  it('applies EXIF orientation 6: the sideways-stored cat comes out 451x300 and upright', async () => {
    const bytes = await readFile(join(photosDir, 'chelsea_exif_orientation6.jpg'));
    const doc = await decodeImage(bytes, 'chelsea_exif_orientation6.jpg');
    expect([doc.image.width, doc.image.height]).toEqual([451, 300]);
    expect([doc.storedWidth, doc.storedHeight, doc.orientation]).toEqual([300, 451, 6]);
    const ref = await photoRgba('chelsea.png');
    const upright = meanAbsDiffRgb(doc.image.data, ref.data);
    // The same picture turned 180° (eyes in the lower half) must be far worse than the decode.
    const flipped = await sharp(Buffer.from(ref.data), { raw: { width: 451, height: 300, channels: 4 } }).rotate(180).raw().toBuffer();
    const wrong = meanAbsDiffRgb(doc.image.data, flipped);
    expect(upright).toBeLessThan(4);
    expect(wrong).toBeGreaterThan(upright * 5);
  });

  it('opens the 16 MP dandelions JPEG at full size', async () => {
    const t0 = performance.now();
    const doc = await decodeImage(await readFile(join(photosDir, 'dandelions_5312x2988.jpg')), 'dandelions.jpg');
    const ms = performance.now() - t0;
    expect([doc.image.width, doc.image.height, doc.format]).toEqual([5312, 2988, 'jpeg']);
    expect(doc.image.data.length).toBe(5312 * 2988 * 4);
    console.log(`decode 5312x2988 JPEG: ${ms.toFixed(0)} ms`);
  });
});

describe('decodeImage colour and depth', () => {
  it('converts an embedded Display P3 profile to sRGB', async () => {
    const stored = [180, 120, 100, 60, 170, 90];
    const plain = await sharp(Buffer.from(stored), { raw: { width: 2, height: 1, channels: 3 } }).png().toBuffer();
    const icc = (await sharp(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#888' } }).withIccProfile('p3').png().toBuffer()).metadata()).icc!;
    const iccp = chunk('iCCP', Buffer.concat([Buffer.from('Display P3\0\0', 'latin1'), deflateSync(icc)]));
    const ihdrEnd = 8 + 25;
    const tagged = Buffer.concat([plain.subarray(0, ihdrEnd), iccp, plain.subarray(ihdrEnd)]);
    expect((await sharp(tagged).metadata()).icc?.length).toBe(icc.length);
    const doc = await decodeImage(tagged, 'p3.png');
    for (let px = 0; px < 2; px++) {
      const expected = p3ToSrgb(stored.slice(px * 3, px * 3 + 3));
      const got = [...doc.image.data.subarray(px * 4, px * 4 + 3)];
      const moved = Math.max(...expected.map((e, c) => Math.abs(e - stored[px * 3 + c]!)));
      expect(moved).toBeGreaterThan(6); // the profile matters for these colours
      got.forEach((g, c) => expect(Math.abs(g - expected[c]!)).toBeLessThanOrEqual(3));
    }
  });

  it('reduces a 16-bit PNG to 8 bits: v16/257 within 1', async () => {
    const samples = [0, 0, 0, 257, 514, 1000, 30000, 40000, 50000, 65535, 65534, 12345, 128, 383, 32896, 65280, 255, 32767];
    const doc = await decodeImage(png16(samples), 'deep.png');
    expect([doc.image.width, doc.image.height]).toEqual([6, 1]);
    samples.forEach((v, i) => {
      const px = Math.floor(i / 3);
      expect(Math.abs(doc.image.data[px * 4 + (i % 3)]! - v / 257)).toBeLessThanOrEqual(1);
    });
    for (let px = 0; px < 6; px++) expect(doc.image.data[px * 4 + 3]).toBe(255);
  });

  it('reduces a 16-bit TIFF to 8 bits', async () => {
    const samples = [1000, 20000, 65535, 40000, 300, 51400];
    const tif = await sharp(png16(samples)).toColourspace('rgb16').tiff({ compression: 'lzw' }).toBuffer();
    expect((await sharp(tif).metadata()).depth).toBe('ushort');
    const doc = await decodeImage(tif, 'deep.tif');
    samples.forEach((v, i) => expect(Math.abs(doc.image.data[Math.floor(i / 3) * 4 + (i % 3)]! - v / 257)).toBeLessThanOrEqual(1));
  });

  it('converts CMYK JPEG to RGB', async () => {
    const cmyk = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 40, b: 60 } } }).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const doc = await decodeImage(cmyk, 'cmyk.jpg');
    const [r, g, b] = doc.image.data;
    expect(r!).toBeGreaterThan(170);
    expect(g!).toBeLessThan(80);
    expect(b!).toBeLessThan(90);
  });

  it('takes the first frame of an animated GIF', async () => {
    const w = 4;
    const h = 3;
    const frames = Buffer.alloc(w * h * 4 * 3);
    for (let f = 0; f < 3; f++) for (let i = 0; i < w * h; i++) frames.set([f * 100, 50, 200 - f * 50, 255], (f * w * h + i) * 4);
    const gif = await sharp(frames, { raw: { width: w, height: h * 3, channels: 4, pageHeight: h } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(3);
    const doc = await decodeImage(gif, 'anim.gif');
    expect([doc.image.width, doc.image.height, doc.format]).toEqual([4, 3, 'gif']);
    expect([...doc.image.data.subarray(0, 4)]).toEqual([0, 50, 200, 255]);
  });
});

describe('decodeImage containers', async () => {
  const src = await photoRgba('coffee.png', { left: 200, top: 100, width: 96, height: 64 });
  const raw = () => sharp(Buffer.from(src.data), { raw: { width: 96, height: 64, channels: 4 } });
  const cases: [string, () => Promise<Buffer>, number][] = [
    ['png', () => raw().png().toBuffer(), 0],
    ['jpeg', () => raw().jpeg({ quality: 95 }).toBuffer(), 3],
    ['webp', () => raw().webp({ quality: 95 }).toBuffer(), 3],
    ['avif', () => raw().avif({ quality: 90 }).toBuffer(), 4],
    ['tiff', () => raw().tiff({ compression: 'lzw' }).toBuffer(), 0],
    ['heif', () => raw().heif({ compression: 'av1', quality: 90 }).toBuffer(), 4],
  ];
  it.each(cases)('%s opens by content with the right size and pixels', async (format, make, tol) => {
    const doc = await decodeImage(await make(), `photo.${format}`);
    // sharp's AV1 HEIF output is branded "avif"; both come through the same decoder.
    expect(format === 'heif' ? ['heif', 'avif'] : [format]).toContain(doc.format);
    expect([doc.image.width, doc.image.height]).toEqual([96, 64]);
    expect(meanAbsDiffRgb(doc.image.data, src.data)).toBeLessThanOrEqual(tol);
  });

  it('reports whether HEVC HEIC is decodable, and refuses it clearly when not', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(4), Buffer.from('mif1heic'), Buffer.alloc(64, 7)]);
    if (heicSupported()) {
      await expect(decodeImage(heic, 'phone.heic')).rejects.toThrow(/damaged|truncated/);
    } else {
      await expect(decodeImage(heic, 'phone.heic')).rejects.toThrow(/“phone\.heic” is a HEIC\/HEIF photo compressed with HEVC/);
    }
  });

  it('refuses BMP clearly (the npm libvips has no BMP loader)', async () => {
    const bmp = Buffer.alloc(54 + 16);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(2, 18);
    bmp.writeInt32LE(2, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    const attempt = decodeImage(bmp, 'old.bmp');
    if (sharp.format.magick.input.buffer) await expect(attempt).resolves.toMatchObject({ format: 'bmp' });
    else await expect(attempt).rejects.toThrow(/“old\.bmp” is a BMP image, which this build cannot decode/);
  });
});
