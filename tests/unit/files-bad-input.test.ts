/** The bad-input corpus, generated here, opened through HostServices: every case is a clear refusal, never a throw. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostServices } from '../../src/services/host-services';
import { recentId } from '../../src/services/recent';
import { photosDir, pngBombHeader, tempDir } from './files-fixtures';

let dir: string;
let cleanup: () => Promise<void>;
let host: HostServices;

/** A JPEG whose SOF0 claims the given size, followed by nothing decodable. */
function jpegHeader(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from([0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'), sof, Buffer.from([0xff, 0xd9])]);
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  host = new HostServices(join(dir, 'userdata'));
  await host.init();
  const jpeg = await readFile(join(photosDir, 'rocket.jpg'));
  const png = await sharp(join(photosDir, 'chelsea.png')).resize(64).png().toBuffer();
  const files: Record<string, Uint8Array | string> = {
    'truncated.jpg': jpeg.subarray(0, jpeg.length >> 1),
    'empty.jpg': new Uint8Array(0),
    'notes.jpg': 'These are my holiday notes, not a photo.\nSecond line.\n',
    'bomb.png': pngBombHeader(50_000, 50_000),
    'panorama.png': pngBombHeader(40_000, 2_000),
    'bomb.jpg': jpegHeader(65_000, 60_000),
    'paper.pdf': '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    'layers.psd': Buffer.concat([Buffer.from('8BPS\0\x01\0\0\0\0\0\0\0\x03', 'latin1'), Buffer.alloc(64)]),
    'favicon.ico': Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0]), Buffer.alloc(64, 1)]),
    'noise.png': Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 97 + 13) & 0xff)),
    'damaged.png': Buffer.concat([png.subarray(0, 60), Buffer.alloc(200, 0x55), png.subarray(png.length - 12)]),
    'cat-really-png.jpg': png,
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  await mkdir(join(dir, 'folder.png'));
});
afterAll(() => cleanup());

describe('HostServices.openPath on the bad-input corpus', () => {
  const refused: [string, RegExp][] = [
    ['truncated.jpg', /“truncated\.jpg” is truncated or damaged/],
    ['empty.jpg', /“empty\.jpg” is empty \(0 bytes\)/],
    ['notes.jpg', /“notes\.jpg” is a text file, not an image/],
    ['bomb.png', /“bomb\.png” is 50,000 x 50,000 pixels \(2500 megapixels\).*up to 100 megapixels/],
    ['panorama.png', /“panorama\.png” is 40,000 x 2,000 pixels.*32,768 pixels a side/],
    ['bomb.jpg', /“bomb\.jpg” is 65,000 x 60,000 pixels/],
    ['paper.pdf', /“paper\.pdf” is a PDF document, not an image/],
    ['layers.psd', /“layers\.psd” is a Photoshop \(PSD\) document/],
    ['favicon.ico', /“favicon\.ico” is a Windows icon \(ICO\)/],
    ['noise.png', /“noise\.png” is not an image Onirique can open/],
    ['damaged.png', /“damaged\.png” is (truncated or damaged|damaged and could not be decoded)/],
    ['folder.png', /“folder\.png” is not a file/],
    ['missing.jpg', /“missing\.jpg” no longer exists/],
  ];
  it.each(refused)('%s → ok:false with a specific message', async (name, message) => {
    const r = await host.openPath(join(dir, name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('refuses the 50,000 x 50,000 header before decoding, in milliseconds', async () => {
    const t0 = performance.now();
    const r = await host.openPath(join(dir, 'bomb.png'));
    expect(performance.now() - t0).toBeLessThan(250);
    expect(r.ok).toBe(false);
  });

  it('opens a PNG named .jpg by its content', async () => {
    const r = await host.openPath(join(dir, 'cat-really-png.jpg'));
    expect(r.ok && [r.value.format, r.value.image.width, r.value.name]).toEqual(['png', 64, 'cat-really-png.jpg']);
  });

  it('keeps the open document and keeps working after every failure', async () => {
    const good = await host.openPath(join(photosDir, 'chelsea.png'));
    if (!good.ok) throw new Error(good.error);
    for (const [name] of refused) await host.openPath(join(dir, name));
    expect(host.documentPath(good.value.docId)).toBe(join(photosDir, 'chelsea.png'));
    const again = await host.openPath(join(photosDir, 'coffee.png'));
    expect(again.ok && [again.value.image.width, again.value.image.height]).toEqual([600, 400]);
    // Failed opens never enter the recent list.
    const names = (await host.recentList()).map((e) => e.name);
    expect(names).toEqual(['coffee.png', 'chelsea.png', 'cat-really-png.jpg']);
  });

  it('openBytes refuses the same corpus without throwing', async () => {
    const r = await host.openBytes('empty.png', new Uint8Array(0));
    expect(r).toEqual({ ok: false, error: '“empty.png” is empty (0 bytes).' });
    const bomb = await host.openBytes('bomb.png', new Uint8Array(pngBombHeader(50_000, 50_000)));
    expect(!bomb.ok && bomb.error).toMatch(/50,000 x 50,000/);
    expect(await host.openBytes('x.png', 'not bytes')).toEqual({ ok: false, error: 'Dropped data must be bytes.' });
  });
});

describe('path safety through HostServices', () => {
  it('openRecent refuses ids that were never issued', async () => {
    for (const id of ['0123456789abcdef', recentId('/etc/passwd'), '../../etc/passwd', '', 42, null, { id: 'x' }]) {
      const r = await host.openRecent(id);
      expect(r.ok).toBe(false);
    }
    const issued = (await host.recentList())[0]!;
    const r = await host.openRecent(issued.id);
    expect(r.ok && r.value.name).toBe(issued.name);
  });

  it('openBytes refuses names with directory parts', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer();
    for (const name of ['../../evil.png', 'a/b.png', 'a\\b.png', 'C:evil.png', '..', 'CON.png']) {
      expect(await host.openBytes(name, new Uint8Array(png))).toEqual({ ok: false, error: 'File name is invalid.' });
    }
    expect((await host.openBytes('Rêve n°1.png', new Uint8Array(png))).ok).toBe(true);
  });

  it('exportTo refuses copying EXIF from a document id it never issued, and writes nothing', async () => {
    const out = join(dir, 'forged.jpg');
    const image = { width: 2, height: 2, data: new Uint8ClampedArray(16).fill(200) };
    for (const sourceDocId of ['7b0c4b8e-0000-4000-8000-000000000000', '../../etc/passwd', 12]) {
      const r = await host.exportTo(out, { image, format: 'jpeg', suggestedName: 'forged.jpg', copyExif: true, sourceDocId });
      expect(r.ok).toBe(false);
    }
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });
});
