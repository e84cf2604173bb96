/** Icons: generated from the one SVG, every size present, ICO and ICNS readable by an independent reader (Pillow). */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './files-fixtures';

const run = promisify(execFile);
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('onirique-icons-'));
  await run(process.execPath, [join(repoRoot, 'scripts', 'make-icons.mjs'), dir]);
});
afterAll(() => cleanup());

describe('generated icons', () => {
  it('the committed build/ icons are what the SVG renders to today', async () => {
    const committed = (await readdir(join(repoRoot, 'build', 'icons'))).sort();
    expect(committed).toEqual(SIZES.map((s) => `${s}x${s}.png`).sort());
    for (const f of committed) {
      const a = await sharp(join(repoRoot, 'build', 'icons', f)).raw().toBuffer();
      const b = await sharp(join(dir, 'icons', f)).raw().toBuffer();
      expect(a.length, f).toBe(b.length);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
      expect(diff / a.length, f).toBeLessThan(0.5);
    }
    expect((await readFile(join(repoRoot, 'build', 'icon.png'))).equals(await readFile(join(repoRoot, 'build', 'icons', '512x512.png')))).toBe(true);
  });

  it('every PNG has its size, transparency outside the rounded square and an opaque eye', async () => {
    for (const s of SIZES) {
      const { data, info } = await sharp(join(repoRoot, 'build', 'icons', `${s}x${s}.png`)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height], `${s}`).toEqual([s, s]);
      expect(data[3], `corner alpha at ${s}`).toBe(0);
      const c = (Math.floor(s / 2) * s + Math.floor(s / 2)) * 4;
      expect(data[c + 3], `centre alpha at ${s}`).toBe(255);
    }
  });

  it('ICO and ICNS open in Pillow with the expected sizes', async () => {
    const script = [
      'import json, sys',
      'from PIL import Image',
      'ico = Image.open(sys.argv[1]); icns = Image.open(sys.argv[2])',
      'sizes = sorted(icns.info["sizes"]); icns.size = sizes[-1][:2]; icns.load()',
      'print(json.dumps({"ico": sorted(ico.info["sizes"]), "ico_fmt": ico.format, "icns": sizes, "icns_fmt": icns.format, "icns_px": list(icns.size)}))',
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script, join(repoRoot, 'build', 'icon.ico'), join(repoRoot, 'build', 'icon.icns')]);
    const r = JSON.parse(stdout) as { ico: number[][]; ico_fmt: string; icns: number[][]; icns_fmt: string; icns_px: number[] };
    expect(r.ico_fmt).toBe('ICO');
    expect(r.ico).toEqual([16, 24, 32, 48, 64, 128, 256].map((s) => [s, s]));
    expect(r.icns_fmt).toBe('ICNS');
    expect(r.icns).toEqual([[16, 16, 1], [32, 32, 1], [64, 64, 1], [128, 128, 1], [256, 256, 1], [512, 512, 1], [512, 512, 2]]);
    expect(r.icns_px).toEqual([1024, 1024]);
  });
});
