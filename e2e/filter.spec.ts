/**
 * The Filter panel end to end: a preset picked in the panel, previewed and applied to a real photo,
 * matches the CLI's output for the same preset on the same file; undo/redo restore exact pixels;
 * an imported kernel file applies that kernel; user kernels persist in the settings.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openApp, photosDir, repoRoot, type Harness } from './harness';
import { decodeRgba, readCanvas } from './pixels';

const chelsea = join(photosDir, 'chelsea.png');
const W = 451;
const H = 300;

/** Runs the built CLI's filter command and decodes its output. */
async function cli(h: Harness, name: string, args: string[]): Promise<Uint8Array> {
  const out = join(h.userDataDir, `${name}.png`);
  execFileSync(process.execPath, [join(repoRoot, 'dist', 'cli', 'onirique.cjs'), 'filter', ...args, chelsea, out], { cwd: repoRoot, stdio: 'pipe' });
  const img = await decodeRgba(out);
  expect([img.width, img.height]).toEqual([W, H]);
  return img.data;
}

/** Largest difference over R, G, B (and alpha) between two RGBA buffers of the same size. */
function maxRgbaDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

async function openChelsea(page: Page): Promise<Harness> {
  const h = await openApp(page);
  await expect(page.getByTestId('backend')).toContainText(/tfjs: (webgl|wasm|cpu)/);
  h.nextOpen = chelsea;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');
  return h;
}

test('Sobel magnitude: preview and Apply match the CLI; undo and redo are exact', async ({ page }) => {
  const h = await openChelsea(page);
  const original = await readCanvas(page, W, H);
  const reference = await cli(h, 'sobel', ['--kernel', 'sobel-magnitude']);

  await page.getByTestId('kernel-select').selectOption('sobel-magnitude');
  await expect(page.getByTestId('separable-note')).toContainText('Separable');
  // The whole photo is on screen at 100%, so the live preview is the full result (abs-max over the same max).
  await expect(page.getByTestId('preview-status')).toHaveAttribute('data-status', 'ready');
  expect(maxRgbaDiff(await readCanvas(page, W, H), reference)).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  if (process.env.FILTER_SCREENSHOT) await page.screenshot({ path: process.env.FILTER_SCREENSHOT });

  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  await expect(page.getByTestId('preview-status')).toHaveAttribute('data-status', 'idle');
  const filtered = await readCanvas(page, W, H);
  expect(maxRgbaDiff(filtered, reference)).toBeLessThanOrEqual(1);
  expect(maxRgbaDiff(filtered, original)).toBeGreaterThan(100);

  await page.getByTestId('undo').click();
  expect(Buffer.from(await readCanvas(page, W, H)).equals(Buffer.from(original))).toBe(true);
  await page.getByTestId('redo').click();
  expect(Buffer.from(await readCanvas(page, W, H)).equals(Buffer.from(filtered))).toBe(true);
});

test('an imported kernel file applies that kernel; bad files are refused; user kernels are saved', async ({ page }) => {
  const h = await openChelsea(page);
  const original = await readCanvas(page, W, H);

  const bad = join(h.userDataDir, 'bad.json');
  await writeFile(bad, JSON.stringify({ name: 'bad', matrix: [[1, 2, 3], [4, 5]] }));
  await page.getByTestId('kernel-import').setInputFiles(bad);
  await expect(page.getByTestId('kernel-error')).toContainText('not rectangular');
  await expect(page.getByTestId('kernel-select')).toHaveValue('edges-horizontal');

  // Asymmetric (a flip would show), with a divisor and an offset: sum 1, so the panel picks clamp.
  const kernel = { name: 'ridge', matrix: [[1, 2, 0], [0, 1, -1], [0, 0, -2]], divisor: 2, offset: 20 };
  const file = join(h.userDataDir, 'ridge.json');
  await writeFile(file, JSON.stringify(kernel));
  await page.getByTestId('kernel-import').setInputFiles(file);
  await expect(page.getByTestId('kernel-message')).toContainText('ridge');
  await expect(page.getByTestId('kernel-select')).toHaveValue('custom');
  await expect(page.getByTestId('output')).toHaveValue('clamp');
  await expect(page.getByTestId('kernel-sum')).toContainText('= 1');
  await expect(page.getByTestId('kernel-divisor')).toHaveValue('2');

  const reference = await cli(h, 'ridge', ['--kernel-file', file, '--output', 'clamp']);
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  const shown = await readCanvas(page, W, H);
  expect(maxRgbaDiff(shown, reference)).toBeLessThanOrEqual(1);
  expect(maxRgbaDiff(shown, original)).toBeGreaterThan(20);

  await page.getByTestId('kernel-save').click();
  await expect(page.getByTestId('kernel-select')).toHaveValue('user:ridge');
  const settings = await h.services.getSettings();
  expect(settings.userKernels).toEqual([kernel]);
  await page.getByTestId('kernel-delete').click();
  await expect(page.getByTestId('kernel-select')).toHaveValue('custom');
  expect((await h.services.getSettings()).userKernels).toEqual([]);
});

test('zoomed out: the preview covers the view without touching the document; the toggle removes it', async ({ page }) => {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'coffee.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  // Fit (160%) then down the zoom steps to 33%: one screen pixel per 3x3 document pixels.
  for (let i = 0; i < 5; i++) await page.keyboard.press('-');
  await expect(page.getByTestId('zoom')).toHaveText('33%');
  type Layer = { x: number; y: number; w?: number; h?: number; image: { width: number; height: number } };
  const layers = () =>
    page.evaluate(() => {
      const editor = (window as unknown as { __onirique: { layers: Record<string, Layer> } }).__onirique;
      return Object.entries(editor.layers).map(([k, l]) => ({ k, x: l.x, y: l.y, w: l.w ?? l.image.width, h: l.h ?? l.image.height }));
    });

  await page.getByTestId('kernel-select').selectOption('gaussian');
  await page.getByTestId('param-sigma').fill('2');
  await expect(page.getByTestId('preview-status')).toHaveAttribute('data-status', 'ready');
  // The whole 600x400 photo is on screen: the full-resolution layer covers it and replaces the low-resolution one.
  expect(await layers()).toEqual([{ k: 'filter-preview', x: 0, y: 0, w: 600, h: 400 }]);
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  await expect(page.getByTestId('undo')).toBeDisabled();

  await page.getByTestId('preview-toggle').uncheck();
  await expect.poll(layers).toEqual([]);
  await page.getByTestId('preview-toggle').check();
  await expect(page.getByTestId('preview-status')).toHaveAttribute('data-status', 'ready');
  expect((await layers()).map((l) => l.k)).toEqual(['filter-preview']);
  // Leaving the tab removes the preview.
  await page.getByRole('button', { name: 'Dream' }).click();
  await expect.poll(layers).toEqual([]);
});

test('leaving a panel and coming back keeps what was set in it: kernel edits, options, sliders, preview switch', async ({ page }) => {
  await openChelsea(page);
  await page.getByTestId('kernel-select').selectOption('sobel-y');
  await page.getByLabel('Row 1, column 2').fill('-3');
  await page.getByLabel('Row 1, column 2').press('Enter');
  await expect(page.getByTestId('kernel-select')).toHaveValue('custom');
  await page.getByTestId('border').selectOption('reflect');
  await page.getByTestId('preview-toggle').uncheck();

  await page.getByTestId('tab-dream').click();
  await page.getByTestId('dream-steps').fill('25');
  await expect(page.getByTestId('dream-steps-value')).toHaveText('25');
  await page.getByTestId('dream-preview-toggle').uncheck();
  await page.getByTestId('tab-explain').click();
  await expect(page.getByTestId('dream-panel')).toHaveCount(0);

  await page.getByTestId('tab-filter').click();
  await expect(page.getByTestId('kernel-select')).toHaveValue('custom');
  await expect(page.getByLabel('Row 1, column 2')).toHaveValue('-3');
  await expect(page.getByLabel('Row 3, column 2')).toHaveValue('2');
  await expect(page.getByTestId('border')).toHaveValue('reflect');
  await expect(page.getByTestId('preview-toggle')).not.toBeChecked();
  // Coming back is not an edit: nothing is previewed and the document is untouched.
  await expect(page.getByTestId('preview-status')).toHaveAttribute('data-status', 'idle');
  await expect(page.getByTestId('undo')).toBeDisabled();

  await page.getByTestId('tab-dream').click();
  await expect(page.getByTestId('dream-steps-value')).toHaveText('25');
  await expect(page.getByTestId('dream-preview-toggle')).not.toBeChecked();
});
