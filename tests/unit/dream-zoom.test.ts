/**
 * Dream zoom and the dream exports: the zoom step is a centred bilinear zoom, the loop dreams
 * every frame with progress, ETA and Cancel, and the CLI's dream-zoom writes an animated WebP/GIF
 * (settings in XMP) and numbered PNG frames; dream exports carry their settings and the guide's
 * SHA-256, and the recorded settings restore the same pixels.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from '../../src/core/job';
import type { RgbaImage } from '../../src/core/image';
import { dream } from '../../src/dream/compute/dream';
import { dreamZoom, formatEta, zoomIn } from '../../src/dream/compute/zoom';
import { dreamCommand, dreamOptionsFromMetadata } from '../../src/dream/dream-command';
import { dreamZoomCommand } from '../../src/dream/dream-zoom-command';
import { loadPlainNetFromDir } from '../../src/cli/model-files';
import { dreamNetFromPlain } from '../../src/dream/compute/plain-net-dream';
import { readPngText } from '../../src/services/png-text';
import { readXmpParameters } from '../../src/services/xmp';
import { maxDiff, modelDir, photo, tinyNet, useWasm } from './dream-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'dream-zoom-'));
let net: ReturnType<typeof tinyNet>;
beforeAll(async () => {
  await useWasm();
  net = tinyNet();
});
afterAll(() => net.dispose());

async function save(img: RgbaImage, name: string): Promise<string> {
  const p = join(dir, name);
  await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 4 } }).png().toFile(p);
  return p;
}

describe('zoom step', () => {
  it('factor 1 is the identity; factor 2 maps the centre quarter onto the whole frame', () => {
    const W = 8;
    const img: RgbaImage = { width: W, height: W, data: new Uint8ClampedArray(W * W * 4) };
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) img.data.set([x * 30, y * 30, 7, 255], (y * W + x) * 4);
    expect(Buffer.from(zoomIn(img, 1).data).equals(Buffer.from(img.data))).toBe(true);
    const z = zoomIn(img, 2);
    // Output x samples source (x + 0.5 - 4) / 2 + 3.5: x = 0 → 1.75, x = 7 → 5.25 (values ×30).
    expect(z.data[0]).toBe(Math.round(1.75 * 30));
    expect(z.data[7 * 4]).toBe(Math.round(5.25 * 30));
    expect(z.data[(7 * W) * 4 + 1]).toBe(Math.round(5.25 * 30));
    expect(z.data[3]).toBe(255);
  });
  it('formats the ETA', () => {
    expect(formatEta(12_400)).toBe('12 s');
    expect(formatEta(185_000)).toBe('3 min 05 s');
  });
});

describe('zoom loop (tiny net)', () => {
  const o = { layers: [{ name: 'c2', weight: 1 }], steps: 2, octaves: 1, jitter: 4, seed: 3, previewSize: 0 };
  it('dreams N frames, each from the previous one zoomed, with progress and an ETA', async () => {
    const img = await photo('coffee.png', 64, 48);
    const frames: RgbaImage[] = [];
    const fractions: number[] = [];
    const labels: string[] = [];
    await dreamZoom(img, o, { frames: 3, zoom: 1.2 }, net, (f) => void frames.push(f), {
      onProgress: (p) => {
        fractions.push(p.fraction);
        labels.push(p.label);
      },
    });
    expect(frames.length).toBe(3);
    expect(fractions.at(-1)).toBeCloseTo(1, 10);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(labels[0]).toMatch(/^Frame 1\/3, .*ETA /);
    expect(labels.at(-1)).toMatch(/^Frame 3\/3, .*ETA 0 s$/);
    // Frame 1 is frame 0 zoomed and dreamt again with seed + 1.
    const again = await dream(zoomIn(frames[0]!, 1.2), null, { ...o, seed: 4 }, net);
    expect(Buffer.from(again.image.data).equals(Buffer.from(frames[1]!.data))).toBe(true);
  });
  it('Cancel stops within one step: no further frame, no further progress', async () => {
    const img = await photo('coffee.png', 64, 48);
    const ac = new AbortController();
    let frames = 0;
    let after = 0;
    const run = dreamZoom(img, o, { frames: 5, zoom: 1.1 }, net, () => void frames++, {
      signal: ac.signal,
      onProgress: (p) => {
        if (ac.signal.aborted) after++;
        else if (p.fraction > 0.25) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(frames).toBe(1);
    expect(after).toBe(0);
  });
});

describe('CLI exports (real model)', () => {
  it('dream-zoom writes an animated WebP and GIF with their settings, and numbered PNG frames', async () => {
    const input = await save(await photo('chelsea.png', 64, 48), 'in.png');
    const out = join(dir, 'zoom.webp');
    const frames = join(dir, 'frames');
    const args = ['--frames', '3', '--zoom', '1.1', '--steps', '1', '--octaves', '1', '--seed', '7', '--model', modelDir, '--quiet'];
    expect(await dreamZoomCommand([...args, '--frames-dir', frames, input, out])).toBe(0);
    const meta = await sharp(readFileSync(out), { animated: true }).metadata();
    expect([meta.format, meta.pages, meta.pageHeight, meta.width]).toEqual(['webp', 3, 48, 64]);
    const xmp = readXmpParameters(meta.xmp!)!;
    expect(xmp['onirique:operation']).toBe('dream-zoom');
    expect(xmp['onirique:zoom']).toBe('1.1');
    expect(JSON.parse(xmp['onirique:dream-options']!).seed).toBe(7);
    expect(readdirSync(frames).sort()).toEqual(['frame-0001.png', 'frame-0002.png', 'frame-0003.png']);
    const text = readPngText(readFileSync(join(frames, 'frame-0002.png')));
    expect(text['onirique:frame-seed']).toBe('8');
    const gif = join(dir, 'zoom.gif');
    expect(await dreamZoomCommand([...args, input, gif])).toBe(0);
    const gm = await sharp(readFileSync(gif), { animated: true }).metadata();
    expect([gm.format, gm.pages]).toEqual(['gif', 3]);
  }, 60_000);

  it('a guided dream export carries its settings and the guide SHA-256; they restore the same pixels', async () => {
    const img = await photo('astronaut.png', 96, 64);
    const input = await save(img, 'astro.png');
    const guidePath = await save(await photo('coffee.png', 64, 64), 'guide.png');
    const out = join(dir, 'guided.png');
    expect(await dreamCommand(['--steps', '2', '--octaves', '1', '--pattern-size', '1.5', '--guide', guidePath, '--seed', '2', '--model', modelDir, '--quiet', input, out])).toBe(0);
    const png = readFileSync(out);
    const text = readPngText(png);
    expect(text['onirique:guide-sha256']).toBe(createHash('sha256').update(readFileSync(guidePath)).digest('hex'));
    expect(text['onirique:guide']).toBe('guide.png');
    expect(text['onirique:pattern-size-used']).toBe('1.5');
    expect(text['onirique:working-size']).toBe('64x43');
    // Restore: the recorded options plus the guide image give the same pixels.
    const { net: plain } = await loadPlainNetFromDir(modelDir);
    try {
      const { data } = await sharp(guidePath).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const guide: RgbaImage = { width: 64, height: 64, data: new Uint8ClampedArray(data) };
      const o = dreamOptionsFromMetadata(text, guide);
      expect([o.patternSize, o.steps, o.seed]).toEqual([1.5, 2, 2]);
      const again = await dream(img, null, o, dreamNetFromPlain(plain));
      const written = await sharp(png).ensureAlpha().raw().toBuffer();
      expect(maxDiff(again.image, { ...img, data: new Uint8ClampedArray(written) })).toBe(0);
    } finally {
      plain.dispose();
    }
  }, 60_000);
});
