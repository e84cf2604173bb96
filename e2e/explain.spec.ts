/**
 * The Explain panel end to end on a real photo and the real MobileNet: the model is downloaded by
 * the real store code (from a 127.0.0.1 stand-in for the public host), the top-5 is shown, a class
 * picked by search is explained with Grad-CAM, and every export matches the CLI's output for the
 * same class on the same file. Cancelling the download leaves nothing installed.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_MODEL_ID } from '../src/services/model-catalog';
import { modelsRoot } from '../src/services/model-files';
import { readPngText } from '../src/services/png-text';
import { openApp, photosDir, repoRoot, startModelHost, type Harness } from './harness';
import { decodeRgba, readCanvas } from './pixels';

const coffee = join(photosDir, 'coffee.png');
const W = 600;
const H = 400;
/** ImageNet ids (imagenet_labels.json): 967 espresso, 968 cup. */
const ESPRESSO = 967;
const CUP = 968;

/** The global fetch, each request held back `ms` first (abortable), so the download's progress and Cancel can be seen. */
function slowFetch(ms: number): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(ok, ms);
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        fail(init.signal!.reason instanceof Error ? init.signal!.reason : new DOMException('Aborted', 'AbortError'));
      });
    });
    return fetch(input, init);
  }) as typeof fetch;
}

/**
 * Store options for the harness: the real download code, each file held back `delayMs`. The store
 * fetches `<base><id>/<file>` and the harness's host URL already ends in the model folder, so the
 * base is that URL's parent.
 */
async function slowStore(delayMs: number): Promise<{ baseUrl: string; fetchImpl: typeof fetch }> {
  return { baseUrl: await startModelHost(), fetchImpl: slowFetch(delayMs) };
}

/** Largest per-channel difference and the share of bytes that differ at all. */
function compareRgba(a: Uint8Array, b: Uint8Array): { max: number; changed: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let changed = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
    if (d) changed++;
  }
  return { max, changed: changed / a.length };
}

/** Float32 values of a C-order .npy with its shape. */
function readNpy(buf: Buffer): { shape: number[]; data: Float32Array } {
  expect(buf.subarray(1, 6).toString('latin1')).toBe('NUMPY');
  const hl = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + hl);
  expect(header).toContain("'descr': '<f4'");
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').filter((s) => s.trim()).map(Number);
  const body = buf.subarray(10 + hl);
  return { shape, data: new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)) };
}

async function grey16(path: string): Promise<Uint16Array> {
  const { data, info } = await sharp(path).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([W, H, 1]);
  return new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

async function save(page: Page, h: Harness, testId: string, name: string): Promise<string> {
  const path = join(h.userDataDir, name);
  h.nextSave = path;
  await page.getByTestId(testId).click();
  await expect(page.getByTestId('notice')).toContainText(name);
  expect(existsSync(path)).toBe(true);
  return path;
}

test('download, top-5, a class found by search, Grad-CAM overlay, burn-in with undo, exports equal to the CLI', async ({ page }) => {
  test.setTimeout(360_000);
  const h = await openApp(page, { modelOptions: await slowStore(60) });
  // The CLI computes on tfjs wasm; on this software-GL machine the app picks wasm too, so both run the same kernels.
  await expect(page.getByTestId('backend')).toContainText('tfjs: wasm');
  h.nextOpen = coffee;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');
  const original = await readCanvas(page, W, H);

  await page.getByTestId('tab-explain').click();
  await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-progress')).toBeVisible();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('model-progress')).toHaveCount(0);
  const entry = (await h.services.listModels()).find((m) => m.id === DEFAULT_MODEL_ID)!;
  expect(entry.installed).toBe(true);

  const top = page.getByTestId('top-class');
  await expect(top).toHaveCount(5);
  await expect(top.first()).toHaveAttribute('data-index', String(ESPRESSO));
  await expect(top.first()).toContainText('espresso');
  await expect(page.getByTestId('cam-target')).toHaveAttribute('data-index', String(ESPRESSO));

  await page.getByTestId('class-search').fill('cup');
  const first = page.getByTestId('class-option').first();
  await expect(first).toHaveAttribute('data-index', String(CUP));
  await first.click();
  await expect(page.getByTestId('cam-target')).toHaveAttribute('data-index', String(CUP));
  await expect(page.getByTestId('cam-method')).toHaveValue('gradcam');
  await expect(page.getByTestId('cam-layer')).toHaveValue('auto');

  await page.getByTestId('cam-run').click();
  const result = page.getByTestId('cam-result');
  await expect(result).toHaveAttribute('data-class', String(CUP), { timeout: 120_000 });
  const layer = (await result.getAttribute('data-layer'))!;
  if (process.env.EXPLAIN_SCREENSHOT) await page.screenshot({ path: process.env.EXPLAIN_SCREENSHOT.replace(/\.png$/, '-cam.png') });
  await expect(page.getByTestId('cam-legend')).toHaveAttribute('data-colormap', 'jet');

  // The same CAM from the CLI, with its exports, on the model the app just downloaded.
  const cliDir = join(h.userDataDir, 'cli');
  const modelDir = join(modelsRoot(h.userDataDir), DEFAULT_MODEL_ID);
  await mkdir(cliDir, { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'dist', 'cli', 'onirique.cjs'), 'gradcam', '--class', String(CUP), '--method', 'gradcam', '--colormap', 'jet', '--alpha', '0.5',
      '--model', modelDir, '--raw', join(cliDir, 'cam.npy'), '--heatmap', join(cliDir, 'heat16.png'), coffee, join(cliDir, 'overlay.png'),
    ],
    { cwd: repoRoot, stdio: 'pipe' },
  );
  const cliOverlay = await decodeRgba(join(cliDir, 'overlay.png'));
  const cliText = readPngText(await readFile(join(cliDir, 'overlay.png')));
  expect(cliText['onirique:layer']).toBe(layer);

  // Same engine, same kernels (wasm) and the same decoded pixels (sharp): only float summation order can
  // differ, which moves a normalised heat value by far less than one colormap step (1/255). Near a step
  // boundary the LUT index can still flip by one; jet's steepest channel changes by 4/255 per step, times
  // alpha 0.5 = 2 levels, +1 for rounding the blend: at most 3, and on a tiny share of pixels.
  const TOL = 3;

  // On the canvas at 100%: the photo with the overlay drawn over it as a layer, not baked in.
  const shown = await readCanvas(page, W, H);
  const onCanvas = compareRgba(shown, cliOverlay.data);
  expect(onCanvas.max).toBeLessThanOrEqual(TOL);
  expect(compareRgba(shown, original).max).toBeGreaterThan(60);
  expect(await page.evaluate(() => Object.keys((window as unknown as { __onirique: { layers: object } }).__onirique.layers))).toEqual(['gradcam']);
  await page.getByTestId('cam-visible').uncheck();
  await expect.poll(async () => compareRgba(await readCanvas(page, W, H), original).max).toBe(0);
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  await page.getByTestId('cam-visible').check();

  const overlayPath = await save(page, h, 'export-overlay', 'coffee-gradcam-cup.png');
  const exported = await decodeRgba(overlayPath);
  expect([exported.width, exported.height]).toEqual([W, H]);
  const vsCli = compareRgba(exported.data, cliOverlay.data);
  console.log(`overlay vs CLI: max ${vsCli.max}, ${(vsCli.changed * 100).toFixed(3)}% of bytes differ; canvas vs CLI max ${onCanvas.max}`);
  expect(vsCli.max).toBeLessThanOrEqual(TOL);
  expect(vsCli.changed).toBeLessThan(0.01);
  const text = readPngText(await readFile(overlayPath));
  expect(text).toMatchObject({
    'onirique:operation': 'gradcam',
    'onirique:method': 'gradcam',
    'onirique:class': String(CUP),
    'onirique:label': 'cup',
    'onirique:layer': layer,
    'onirique:colormap': 'jet',
    'onirique:alpha': '0.5',
    'onirique:model-sha256': entry.sha256!,
  });
  expect(text['onirique:model-sha256']).toBe(cliText['onirique:model-sha256']);

  const npy = readNpy(await readFile(await save(page, h, 'export-npy', 'coffee-gradcam-cup-cam.npy')));
  const cliNpy = readNpy(await readFile(join(cliDir, 'cam.npy')));
  expect(npy.shape).toEqual([H, W]);
  expect(cliNpy.shape).toEqual([H, W]);
  let peak = 0;
  let diff = 0;
  for (let i = 0; i < npy.data.length; i++) {
    peak = Math.max(peak, Math.abs(cliNpy.data[i]!));
    diff = Math.max(diff, Math.abs(npy.data[i]! - cliNpy.data[i]!));
  }
  expect(peak).toBeGreaterThan(0);
  // float32 sums over 768 channels in another order: relative error ~1e-6; 1e-4 leaves room, a real change is ≫.
  expect(diff / peak).toBeLessThan(1e-4);

  const csv = (await readFile(await save(page, h, 'export-csv', 'coffee-gradcam-cup-cam.csv'), 'utf8')).trimEnd().split('\n');
  expect(csv).toHaveLength(H);
  const row = csv[123]!.split(',').map(Number);
  expect(row).toHaveLength(W);
  for (let x = 0; x < W; x += 37) expect(Math.abs(row[x]! - npy.data[123 * W + x]!)).toBeLessThanOrEqual(1e-5 * peak);

  const heatPath = await save(page, h, 'export-heat16', 'coffee-gradcam-cup-heat16.png');
  const [heat, cliHeat] = await Promise.all([grey16(heatPath), grey16(join(cliDir, 'heat16.png'))]);
  let hd = 0;
  for (let i = 0; i < heat.length; i++) hd = Math.max(hd, Math.abs(heat[i]! - cliHeat[i]!));
  expect(hd).toBeLessThanOrEqual(65535 * 1e-4);
  expect(readPngText(await readFile(heatPath))).toMatchObject({ 'onirique:class': String(CUP), 'onirique:model-sha256': entry.sha256! });

  // Burn-in is a pixel change, one undo step: the document becomes the overlay, undo restores the photo.
  await page.getByTestId('cam-burn').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• coffee.png');
  await expect(page.getByTestId('cam-visible')).not.toBeChecked();
  expect(compareRgba(await readCanvas(page, W, H), exported.data).max).toBe(0);
  await expect(page.getByTestId('cam-stale')).toBeVisible();
  await page.getByTestId('undo').click();
  expect(compareRgba(await readCanvas(page, W, H), original).max).toBe(0);
  // Undo restores the pixels the map was computed on: the map is current again.
  await expect(page.getByTestId('cam-stale')).toHaveCount(0);

  // Feature maps of the last conv layer: a grid of its 64 most active channels, enlargeable.
  await page.getByTestId('fm-run').click();
  await expect(page.getByTestId('fm-caption')).toContainText(`${layer}: 64 channels of 7×7`);
  await page.getByTestId('fm-enlarge').click();
  await expect(page.getByTestId('fm-dialog')).toBeVisible();
  const big = await page.getByTestId('fm-canvas-big').boundingBox();
  expect(big!.width).toBeGreaterThan(300);
  await page.getByTestId('fm-close').click();
  await expect(page.getByTestId('fm-dialog')).toHaveCount(0);
  if (process.env.EXPLAIN_SCREENSHOT) await page.screenshot({ path: process.env.EXPLAIN_SCREENSHOT });
});

test('cancelling the model download leaves it not installed, with a message and the download offered again', async ({ page }) => {
  const h = await openApp(page, { modelOptions: await slowStore(400) });
  await page.getByTestId('tab-explain').click();
  await page.getByTestId('model-install').click();
  const progress = page.getByTestId('model-progress');
  await expect(progress).toBeVisible();
  await progress.getByRole('button').click();
  await expect(page.getByTestId('model-error')).toContainText(/cancel/i);
  await expect(page.getByTestId('model-progress')).toHaveCount(0);
  await expect(page.getByTestId('model-install')).toBeVisible();
  await expect(page.getByTestId('model-ready')).toHaveCount(0);
  const entry = (await h.services.listModels()).find((m) => m.id === DEFAULT_MODEL_ID)!;
  expect(entry.installed).toBe(false);
  expect(existsSync(join(modelsRoot(h.userDataDir), DEFAULT_MODEL_ID, 'model.json'))).toBe(false);
});
