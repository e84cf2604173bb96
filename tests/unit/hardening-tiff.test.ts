/** Truncated and lying TIFFs are refused before libvips turns their missing strips into black pixels. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type TiffOptions } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, decodePreview } from '../../src/services/image-decode';
import { readTiffLayout } from '../../src/services/tiff-header';

const W = 64;
const H = 48;

function gradient(): Buffer {
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px.set([x * 4, y * 5, 128], (y * W + x) * 3);
  return px;
}

const tiff = (opts: TiffOptions) => sharp(gradient(), { raw: { width: W, height: H, channels: 3 } }).tiff(opts).toBuffer();

/** A little-endian TIFF of one IFD with the given (tag, SHORT|LONG, value) entries and `extra` bytes after it. */
function handTiff(entries: [number, 3 | 4, number][], size: number): Buffer {
  const b = Buffer.alloc(size);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const p = 10 + 12 * i;
    b.writeUInt16LE(tag, p);
    b.writeUInt16LE(type, p + 2);
    b.writeUInt32LE(1, p + 4);
    if (type === 3) b.writeUInt16LE(value, p + 8);
    else b.writeUInt32LE(value, p + 8);
  });
  return b;
}

/** The 222-byte file of the finding: 30000 x 3000 uncompressed RGB whose only strip has 100 bytes. */
const bomb = handTiff(
  [[256, 3, 30000], [257, 3, 3000], [258, 3, 8], [259, 3, 1], [262, 3, 2], [273, 4, 8], [277, 3, 3], [278, 4, 3000], [279, 4, 100]],
  222,
);

describe('TIFF strips and tiles must fit in the file', () => {
  it('decodes intact stripped, LZW and tiled TIFFs (the check does not refuse good files)', async () => {
    for (const t of [await tiff({ compression: 'none' }), await tiff({ compression: 'lzw' }), await tiff({ tile: true, tileWidth: 16, tileHeight: 16 })]) {
      const doc = await decodeImage(t, 'ok.tif');
      expect([doc.image.width, doc.image.height]).toEqual([W, H]);
    }
  });

  it.each([
    ['uncompressed, cut in half', { compression: 'none' }, 0.5],
    ['LZW, cut at 70%', { compression: 'lzw' }, 0.7],
    ['tiled, cut at 80%', { tile: true, tileWidth: 16, tileHeight: 16 }, 0.8],
  ] as const)('refuses a %s TIFF, full decode and preview, naming the file', async (_label, opts, keep) => {
    const full = await tiff(opts);
    const cut = full.subarray(0, Math.floor(full.length * keep));
    await expect(decodeImage(cut, 'cut.tif')).rejects.toThrow(/^“cut\.tif” is truncated or damaged/);
    await expect(decodePreview(cut, 'cut.tif')).rejects.toThrow(/^“cut\.tif” is truncated or damaged/);
  });

  it('refuses the 222-byte 30000 x 3000 TIFF in milliseconds, without decoding it', async () => {
    expect(bomb.length).toBe(222);
    const layout = readTiffLayout(bomb);
    expect(typeof layout === 'object' && [layout.width, layout.height]).toEqual([30000, 3000]);
    const t0 = performance.now();
    await expect(decodeImage(bomb, 'bomb.tif')).rejects.toThrow(/“bomb\.tif” is truncated or damaged: the file ends before the image does/);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('refuses a strip that points past the end of the file', async () => {
    const b = handTiff([[256, 3, 8], [257, 3, 8], [258, 3, 8], [259, 3, 5], [262, 3, 1], [273, 4, 5000], [277, 3, 1], [279, 4, 64]], 400);
    await expect(decodeImage(b, 'far.tif')).rejects.toThrow(/“far\.tif” is truncated or damaged/);
  });
});

const python = '/usr/bin/python3';
const hasPil = (() => {
  try {
    execFileSync(python, ['-c', 'import PIL'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// The finding's own files: PIL's TIFF writer lays strips and the IFD out differently from libvips.
describe.skipIf(!hasPil)('TIFFs written by PIL', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onirique-pil-tiff-'));
    const script = [
      'import sys; from PIL import Image',
      `im = Image.new("RGB", (${W}, ${H})); px = im.load()`,
      `for y in range(${H}):\n  for x in range(${W}): px[x, y] = (x * 4, y * 5, 128)`,
      'im.save(sys.argv[1] + "/raw.tif"); im.save(sys.argv[1] + "/lzw.tif", compression="tiff_lzw")',
    ].join('\n');
    execFileSync(python, ['-c', script, dir]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['raw.tif', 'lzw.tif'])('%s opens whole and is refused cut in half', async (file) => {
    const bytes = await readFile(join(dir, file));
    expect((await decodeImage(bytes, file)).image.width).toBe(W);
    await expect(decodeImage(bytes.subarray(0, bytes.length >> 1), file)).rejects.toThrow(new RegExp(`^“${file.replace('.', '\\.')}” is truncated or damaged`));
  });
});
