/** Open a real photo, run the article's kernel in the worker, check the canvas and the export. */
import { expect, test } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openApp, photosDir } from './harness';
import { articleReference, decodeRgba, maxGreyDiff, readCanvas } from './pixels';

test('article edge kernel: canvas and export match an independent reference', async ({ page }) => {
  const h = await openApp(page);
  await expect(page.getByTestId('backend')).toContainText(/tfjs: (webgl|wasm|cpu)/);
  // Cross-origin isolated with several cores: wasm must run XNNPACK with threads (tfjs-wasm halves
  // hardwareConcurrency on its own, which left a 2-core machine single-threaded).
  const env = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  if (env.isolated && env.cores > 1 && (await page.getByTestId('backend').textContent())?.includes('wasm')) {
    await expect(page.getByTestId('backend')).toContainText('(threads)');
  }

  const coffee = join(photosDir, 'coffee.png');
  h.nextOpen = coffee;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toContainText('coffee.png');

  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toContainText('• coffee.png');
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');

  const src = await decodeRgba(coffee);
  const reference = articleReference(src);
  const shown = await readCanvas(page, src.width, src.height);
  expect(maxGreyDiff(reference, shown)).toBeLessThanOrEqual(1);

  const out = join(h.userDataDir, 'edges.png');
  h.nextSave = out;
  await page.getByTestId('export').click();
  await expect(page.getByTestId('notice')).toContainText('Exported edges.png');
  const exported = await decodeRgba(out);
  expect([exported.width, exported.height]).toEqual([src.width, src.height]);
  expect(maxGreyDiff(reference, exported.data)).toBeLessThanOrEqual(1);
  expect(Buffer.from(exported.data).equals(Buffer.from(shown))).toBe(true);
});

test('a corrupt file gives a visible error and the open document stays', async ({ page }) => {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'coffee.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toContainText('coffee.png');
  await page.keyboard.press('1');
  // The canvas shows the document alone: no live filter preview over it.
  await page.getByTestId('preview-toggle').uncheck();
  const before = await readCanvas(page, 600, 400);

  const bad = join(h.userDataDir, 'broken.jpg');
  await writeFile(bad, 'this is not a JPEG at all, just text pretending');
  h.nextOpen = bad;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('error')).toContainText('broken.jpg');
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  const after = await readCanvas(page, 600, 400);
  expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
});

test('undo and redo restore the exact pixels', async ({ page }) => {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'coffee.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toContainText('coffee.png');
  await page.keyboard.press('1');
  const original = await readCanvas(page, 600, 400);
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('undo')).toBeEnabled();
  const filtered = await readCanvas(page, 600, 400);
  expect(Buffer.from(filtered).equals(Buffer.from(original))).toBe(false);
  await page.getByTestId('undo').click();
  expect(Buffer.from(await readCanvas(page, 600, 400)).equals(Buffer.from(original))).toBe(true);
  await page.getByTestId('redo').click();
  expect(Buffer.from(await readCanvas(page, 600, 400)).equals(Buffer.from(filtered))).toBe(true);
});
