/**
 * The dreamZoom worker op on the real MobileNet (../shared/models) and a real photo, wasm backend:
 * it answers one frame per requested frame, each different from the one before (zoomed and dreamt
 * again), the input is untouched, progress runs to the end with an ETA, and Cancel rejects; the
 * host's exportAnimation (desktop, e2e binding and the web route) encodes those frames as an
 * animated WebP or GIF with one page per frame and the delay asked for (the settings in the WebP's XMP).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_ANIMATION_HEADER, type ExportAnimationHeader } from '../../src/host/host-contract';
import { HostServices } from '../../src/services/host-services';
import { readXmpParameters } from '../../src/services/xmp';
import { startWebServer, webRoutes } from '../../src/web-server/web-server';
import { readModelDir } from '../../src/cli/model-files';
import { loadModelOp, unloadModel } from '../../src/core/net/model-cache';
import { AbortError, type JobProgress } from '../../src/core/job';
import type { RgbaImage } from '../../src/core/image';
import { dreamHandlers } from '../../src/dream/compute/dream-op';
import { maxDiff, modelDir, photo, useWasm } from './dream-fixtures';

const MODEL = 'mobilenet-zoom-op';
const options = { octaves: 1, steps: 1, stepSize: 0.05, jitter: 0, previewSize: 0, patternSize: 1, layers: [{ name: 'conv_pw_5_relu', weight: 1 }] };
let img: RgbaImage;

beforeAll(async () => {
  await useWasm();
  const files = await readModelDir(modelDir);
  await loadModelOp({ id: MODEL, source: { modelJson: files.modelJson, weights: files.weightData }, labels: files.labels });
  img = await photo('chelsea.png', 64, 48);
});
afterAll(() => {
  unloadModel(MODEL);
});

describe('dreamZoom op', () => {
  it('answers N frames of the photo’s size, each different from the previous, and leaves the input as it was', async () => {
    const before = img.data.slice();
    const progress: JobProgress[] = [];
    const frames = await dreamHandlers.dreamZoom({ image: img, options, zoom: { frames: 4, zoom: 1.2 }, modelId: MODEL }, { onProgress: (p) => progress.push(p) });
    expect(frames).toHaveLength(4);
    for (const f of frames) expect([f.width, f.height, f.data.length]).toEqual([64, 48, 64 * 48 * 4]);
    expect(maxDiff(frames[0]!, img)).toBeGreaterThan(0);
    for (let k = 0; k + 1 < frames.length; k++) expect(maxDiff(frames[k + 1]!, frames[k]!), `frame ${k + 2} vs ${k + 1}`).toBeGreaterThan(10);
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
    expect(progress.at(-1)?.fraction).toBeCloseTo(1, 5);
    expect(progress.some((p) => /^Frame 4\/4, .*ETA /.test(p.label))).toBe(true);
    // Fractions only grow: the bar never jumps back between frames.
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);
  }, 120_000);

  it('is reproducible for the same seed', async () => {
    const input = { image: img, options: { ...options, seed: 5 }, zoom: { frames: 2, zoom: 1.1 }, modelId: MODEL };
    const [a, b] = [await dreamHandlers.dreamZoom(input, {}), await dreamHandlers.dreamZoom(input, {})];
    expect(a.map((f, i) => Buffer.from(f.data).equals(Buffer.from(b[i]!.data)))).toEqual([true, true]);
  }, 120_000);

  it('rejects on Cancel, on bad zoom options and on a model the worker has not loaded', async () => {
    const ac = new AbortController();
    const run = dreamHandlers.dreamZoom({ image: img, options, zoom: { frames: 50, zoom: 1.05 }, modelId: MODEL }, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.label.startsWith('Frame 2/')) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(dreamHandlers.dreamZoom({ image: img, options, zoom: { frames: 0, zoom: 1.05 }, modelId: MODEL }, {})).rejects.toThrow(/Frames must be/);
    await expect(dreamHandlers.dreamZoom({ image: img, options, zoom: { frames: 2, zoom: 1.05 }, modelId: 'nope' }, {})).rejects.toThrow(/“nope” is not loaded/);
  }, 120_000);
});

describe('exportAnimation on the host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zoom-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const frames = (n: number): RgbaImage[] =>
    Array.from({ length: n }, (_, i) => ({ width: 8, height: 6, data: new Uint8ClampedArray(8 * 6 * 4).map((_v, j) => (j % 4 === 3 ? 255 : (i * 60 + j) % 256)) }));

  it('writes one page per frame, with the delay and the settings, as WebP or GIF', async () => {
    const services = new HostServices(join(dir, 'data'));
    for (const format of ['webp', 'gif'] as const) {
      const path = join(dir, `z.${format}`);
      const r = await services.exportAnimationTo(path, { frames: frames(3), delayMs: 80, format, suggestedName: `z.${format}`, metadata: { 'onirique:frames': '3' } });
      expect(r).toMatchObject({ ok: true, value: { name: `z.${format}` } });
      const meta = await sharp(readFileSync(path), { animated: true }).metadata();
      expect([meta.format, meta.pages, meta.width, meta.pageHeight, meta.delay]).toEqual([format, 3, 8, 6, [80, 80, 80]]);
      // GIF has no XMP in libvips' writer: only the WebP carries the settings (as the CLI's test knows).
      if (format === 'webp') expect(readXmpParameters(meta.xmp!)?.['onirique:frames']).toBe('3');
    }
    const bad = await services.exportAnimationTo(join(dir, 'bad.webp'), { frames: frames(2), delayMs: 0, format: 'webp', suggestedName: 'bad.webp' });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/delay/) });
  });

  it('the web route encodes the raw frames it is sent, and refuses a body that does not match them', async () => {
    const services = new HostServices(join(dir, 'web'));
    await services.init();
    const { server, url } = await startWebServer({ root: dir, port: 0, routes: webRoutes(services) });
    try {
      const header: ExportAnimationHeader = { width: 8, height: 6, count: 4, delayMs: 50, format: 'webp', suggestedName: 'z.webp' };
      const body = new Uint8Array(8 * 6 * 4 * 4);
      frames(4).forEach((f, i) => body.set(f.data, i * 8 * 6 * 4));
      const post = (b: Uint8Array<ArrayBuffer>, h: ExportAnimationHeader) =>
        fetch(new URL('api/export/animation', url), { method: 'POST', body: b, headers: { 'Content-Type': 'application/octet-stream', 'Sec-Fetch-Site': 'same-origin', [EXPORT_ANIMATION_HEADER]: encodeURIComponent(JSON.stringify(h)) } });
      const ok = await post(body, header);
      expect([ok.status, ok.headers.get('content-type')]).toEqual([200, 'image/webp']);
      expect((await sharp(Buffer.from(await ok.arrayBuffer()), { animated: true }).metadata()).pages).toBe(4);
      expect((await post(body.subarray(0, body.length - 4), header)).status).toBe(400);
      expect((await post(body, { ...header, count: 0 })).status).toBe(400);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
