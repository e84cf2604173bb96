/**
 * Dream zoom end to end on a real photo with the real model: a 5-frame zoom (1 step per frame)
 * shows its progress with the frame and ETA, and saves an animated WebP with 5 frames carrying the
 * zoom's settings; a zoom cancelled mid-run saves nothing and leaves the document as it was.
 */
import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readXmpParameters } from '../src/services/xmp';
import { openApp, photosDir, startModelHost } from './harness';

const chelsea = join(photosDir, 'chelsea.png');

async function setSlider(page: Page, id: string, value: number) {
  await page.getByTestId(id).fill(String(value));
  await expect(page.getByTestId(`${id}-value`)).toContainText(String(value));
}

test('a 5-frame dream zoom saves an animated WebP of 5 frames; Cancel mid-run saves nothing', async ({ page }) => {
  const baseUrl = await startModelHost();
  const h = await openApp(page, { modelOptions: { baseUrl } });
  h.nextOpen = chelsea;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });

  // Small work per frame (software GL machine, wasm worker): one step, one octave, patterns ×4.
  await page.getByTestId('dream-preview-toggle').uncheck();
  await setSlider(page, 'dream-steps', 1);
  await setSlider(page, 'dream-octaves', 1);
  await setSlider(page, 'dream-pattern-size', 4);
  await setSlider(page, 'dream-zoom-factor', 1.1);
  await expect(page.getByTestId('dream-zoom-format')).toHaveValue('webp');

  // Cancelled once the second frame is under way: no file, the photo unchanged.
  await setSlider(page, 'dream-zoom-frames', 200);
  const cancelled = join(h.userDataDir, 'cancelled.webp');
  h.nextSave = cancelled;
  await page.getByTestId('dream-zoom-run').click();
  await expect(page.getByTestId('dream-zoom-progress')).toContainText(/Frame \d+\/200, .*ETA/, { timeout: 120_000 });
  await page.getByTestId('dream-zoom-cancel').click();
  await expect(page.getByTestId('dream-zoom-progress')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toContainText('cancelled');
  await expect(page.getByTestId('dream-zoom-run')).toBeEnabled();
  expect(existsSync(cancelled)).toBe(false);
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');

  // The full run: progress shows frame and ETA, the animation lands with 5 pages at the photo's size.
  await setSlider(page, 'dream-zoom-frames', 5);
  const out = join(h.userDataDir, 'zoom.webp');
  h.nextSave = out;
  // Every progress text the section shows, recorded as it changes (a short run may end between two polls).
  await page.evaluate(() => {
    const seen: string[] = [];
    Reflect.set(window, '__zoomLabels', seen);
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="dream-zoom-progress"]')?.textContent;
      if (t && seen.at(-1) !== t) seen.push(t);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('dream-zoom-run').click();
  await expect(page.getByTestId('notice')).toContainText('5 frames saved to zoom.webp', { timeout: 180_000 });
  const labels = await page.evaluate(() => Reflect.get(window, '__zoomLabels') as string[]);
  expect(labels.some((l) => /Frame 1\/5, .*ETA/.test(l))).toBe(true);
  expect(labels.some((l) => /Frame 5\/5, .*ETA/.test(l))).toBe(true);
  const buf = await readFile(out);
  const meta = await sharp(buf, { animated: true }).metadata();
  expect(meta.format).toBe('webp');
  expect(meta.pages).toBe(5);
  expect([meta.width, meta.pageHeight]).toEqual([451, 300]);
  expect(meta.delay).toEqual([100, 100, 100, 100, 100]);
  const params = readXmpParameters(meta.xmp!);
  expect(params?.['onirique:frames']).toBe('5');
  expect(params?.['onirique:zoom']).toBe('1.1');
  // Frames differ: the first and last pages are not the same picture.
  const page0 = await sharp(buf, { page: 0 }).raw().toBuffer();
  const page4 = await sharp(buf, { page: 4 }).raw().toBuffer();
  expect(page0.equals(page4)).toBe(false);
  // The zoom never edits the document.
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
});
