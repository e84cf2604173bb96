/**
 * The Explain panel's exports: its own 16-bit PNG encoder read back by sharp (libspng) and by
 * Pillow, the parameters it writes (the CLI's keys), and the host's exportBytes checks and writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { HostServices } from '../../src/services/host-services';
import { parseExportBytesRequest } from '../../src/services/export-bytes';
import { readPngText } from '../../src/services/png-text';
import { camCsv, camFileName, camNpy, camParams, camPng16, slug, type CamRecord } from '../../src/explain/ui/cam-export';
import { crc32, encodeGray16Png } from '../../src/explain/ui/png16';

const dir = mkdtempSync(path.join(tmpdir(), 'onirique-xp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CAM-like map: a smooth bump plus a ramp, not symmetric, so transposition or flips would show. */
function fakeCam(w: number, h: number): CamRecord {
  const raw = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * w + x] = Math.exp(-((x - w * 0.3) ** 2 + (y - h * 0.6) ** 2) / (w * 3)) * 7.5 + x / w;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of raw) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const heat = raw.map((v) => (v - lo) / (hi - lo));
  return {
    settings: { method: 'gradcam++', layer: 'conv_pw_13_relu', fit: 'tiles', tilesAcross: 3, smooth: true, scoreCamChannels: 128 },
    classIndex: 967,
    label: 'espresso',
    prob: 0.98,
    width: w,
    height: h,
    raw,
    heat,
    model: { id: 'mobilenet_v1_0.75_224', name: 'MobileNet', sha256: 'ab'.repeat(32) },
    source: 'coffee.png',
  };
}

describe('16-bit PNG encoder', () => {
  it('computes the PNG CRC-32 (check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes samples that sharp and Pillow read back exactly, with UTF-8 text chunks', async () => {
    const w = 123;
    const h = 45;
    const samples = new Uint16Array(w * h).map((_, i) => (i * 2654435761) % 65536);
    const png = await encodeGray16Png(samples, w, h, { 'onirique:label': 'café crème', Software: 'Onirique' });
    const file = path.join(dir, 'g16.png');
    writeFileSync(file, png);
    const { data, info } = await sharp(file).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([w, h, 1]);
    expect(Array.from(new Uint16Array(data.buffer, data.byteOffset, w * h))).toEqual(Array.from(samples));
    expect(readPngText(png)).toEqual({ 'onirique:label': 'café crème', Software: 'Onirique' });
    const pil = execFileSync('/usr/bin/python3', [
      '-c',
      `from PIL import Image; import numpy as np; im = Image.open(${JSON.stringify(file)}); a = np.array(im).astype(np.int64); print(im.mode, a.shape[1], a.shape[0], int((a.ravel() * np.arange(a.size)).sum() % 1000000007)); print(im.text['onirique:label'])`,
    ]).toString().trim().split('\n');
    let checksum = 0n;
    samples.forEach((v, i) => (checksum = (checksum + BigInt(v) * BigInt(i)) % 1000000007n));
    // Pillow opens 16-bit greyscale PNGs as mode "I" (32-bit ints) or "I;16" depending on its version.
    expect(pil[0]).toMatch(new RegExp(`^I(;16)? ${w} ${h} ${checksum}$`));
    expect(pil[1]).toBe('café crème');
  });

  it('refuses samples that do not match the size', async () => {
    await expect(encodeGray16Png(new Uint16Array(5), 2, 2)).rejects.toThrow(/size/);
  });
});

describe('CAM exports', () => {
  const cam = fakeCam(64, 40);

  it('carries the CLI gradcam keys plus source and model; colormap only for a coloured overlay', () => {
    const cliKeys = ['operation', 'method', 'class', 'label', 'layer', 'fit', 'smooth', 'model-sha256'].map((k) => `onirique:${k}`);
    // The same keys the CLI writes (src/explain/gradcam-command.ts), read from its source so a rename there fails here.
    const cliSource = readFileSync(path.resolve(__dirname, '..', '..', 'src', 'explain', 'gradcam-command.ts'), 'utf8');
    for (const k of cliKeys) expect(cliSource).toContain(`'${k}'`);
    const p = camParams(cam, { colormap: 'turbo', alpha: 0.35 });
    for (const k of cliKeys) expect(p[k]).toBeDefined();
    expect(p).toMatchObject({
      'onirique:method': 'gradcam++',
      'onirique:class': '967',
      'onirique:label': 'espresso',
      'onirique:layer': 'conv_pw_13_relu',
      'onirique:fit': 'tiles',
      'onirique:tiles-across': '3',
      'onirique:smooth': 'true',
      'onirique:model-sha256': 'ab'.repeat(32),
      'onirique:colormap': 'turbo',
      'onirique:alpha': '0.35',
      'onirique:source': 'coffee.png',
    });
    expect(camParams(cam, null)['onirique:colormap']).toBeUndefined();
  });

  it('names files after the photo, method and class, with names the host accepts', () => {
    expect(camFileName(cam, 'overlay')).toBe('coffee-gradcampp-espresso.png');
    expect(camFileName(cam, 'npy')).toBe('coffee-gradcampp-espresso-cam.npy');
    expect(slug('great white shark, white shark, man-eater')).toBe('great-white-shark');
    expect(slug('***')).toBe('class');
    for (const kind of ['overlay', 'png16', 'npy', 'csv'] as const) expect(camFileName({ ...cam, source: 'a:b\\c/d.jpg' }, kind)).not.toMatch(/[/\\:]/);
  });

  it('.npy and CSV hold the raw map, height × width, as numpy reads them', () => {
    writeFileSync(path.join(dir, 'cam.npy'), camNpy(cam));
    writeFileSync(path.join(dir, 'cam.csv'), camCsv(cam));
    const out = execFileSync('/usr/bin/python3', [
      '-c',
      `import numpy as np, os; os.chdir(${JSON.stringify(dir)}); a = np.load('cam.npy'); c = np.loadtxt('cam.csv', delimiter=',', dtype=np.float64)
print(a.dtype, a.shape[0], a.shape[1], c.shape[0], c.shape[1], float(np.abs(a - c).max()), float(a[24, 19]), float(a.max()))`,
    ]).toString().trim().split(' ');
    expect(out.slice(0, 5)).toEqual(['float32', '40', '64', '40', '64']);
    expect(Number(out[5])).toBeLessThan(1e-5 * 8.5);
    expect(Number(out[6])).toBeCloseTo(cam.raw[24 * 64 + 19]!, 6);
    expect(Number(out[7])).toBeGreaterThan(7);
  });

  it('the 16-bit heat PNG is the normalised map scaled to 0..65535, with the parameters', async () => {
    const png = await camPng16(cam);
    const { data } = await sharp(png).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const got = new Uint16Array(data.buffer, data.byteOffset, cam.width * cam.height);
    let d = 0;
    for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i]! / 65535 - cam.heat[i]!));
    expect(d).toBeLessThanOrEqual(0.5 / 65535 + 1e-7);
    expect(Math.max(...got)).toBe(65535);
    expect(Math.min(...got)).toBe(0);
    expect(readPngText(png)).toMatchObject({ 'onirique:class': '967', 'onirique:model-sha256': 'ab'.repeat(32), Software: 'Onirique' });
  });
});

describe('host exportBytes', () => {
  it('writes the checked bytes atomically and refuses bytes that are not their kind', async () => {
    const services = new HostServices(path.join(dir, 'user'));
    await services.init();
    const cam = fakeCam(32, 20);
    const npy = camNpy(cam);
    const target = path.join(dir, 'out.npy');
    const ok = await services.exportBytesTo(target, { bytes: npy, suggestedName: 'out.npy', kind: 'npy' });
    expect(ok).toEqual({ ok: true, value: { name: 'out.npy', bytes: npy.byteLength } });
    expect(Buffer.compare(readFileSync(target), Buffer.from(npy))).toBe(0);

    const png8 = await sharp(Buffer.alloc(16 * 16), { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer();
    const bad: [unknown, RegExp][] = [
      [{ bytes: camCsv(cam), suggestedName: 'x.npy', kind: 'npy' }, /magic/],
      [{ bytes: new Uint8Array([49, 0, 50]), suggestedName: 'x.csv', kind: 'csv' }, /NUL/],
      [{ bytes: new Uint8Array([0xff, 0xfe, 0x41]), suggestedName: 'x.csv', kind: 'csv' }, /UTF-8/],
      [{ bytes: new Uint8Array(png8), suggestedName: 'x.png', kind: 'png16' }, /16-bit greyscale/],
      [{ bytes: npy, suggestedName: 'x.png', kind: 'png16' }, /not a PNG/],
      [{ bytes: npy, suggestedName: '../x.npy', kind: 'npy' }, /name/],
      [{ bytes: npy, suggestedName: 'x.exe', kind: 'exe' }, /kind/],
      [{ bytes: Array.from(npy), suggestedName: 'x.npy', kind: 'npy' }, /byte array/],
      [{ bytes: new Uint8Array(0), suggestedName: 'x.npy', kind: 'npy' }, /size/],
    ];
    for (const [req, msg] of bad) {
      expect(() => parseExportBytesRequest(req)).toThrow(msg);
      const r = await services.exportBytesTo(path.join(dir, 'refused.bin'), req);
      expect(r.ok).toBe(false);
    }
    // Nothing was written for the refused requests, not even a temp file.
    expect(readdirSync(dir).filter((n) => n.includes('refused'))).toEqual([]);
    expect(parseExportBytesRequest({ bytes: await camPng16(cam), suggestedName: 'h.png', kind: 'png16' }).kind).toBe('png16');
    expect(parseExportBytesRequest({ bytes: camCsv(cam), suggestedName: 'h.csv', kind: 'csv' }).kind).toBe('csv');
  });
});
