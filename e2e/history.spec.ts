/** One document, three kinds of change: a filter, a Grad-CAM overlay burnt in, a dream. Undo and redo are exact. */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { openApp, photosDir } from './harness';
import { readCanvas } from './pixels';

const W = 451;
const H = 300;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const historyLength = (page: Page) =>
  page.evaluate(() => (window as unknown as { __onirique?: { history: { labels: string[] } } }).__onirique?.history.labels.length);

async function setSlider(page: Page, id: string, value: number) {
  await page.getByTestId(id).fill(String(value));
  await expect(page.getByTestId(`${id}-value`)).toContainText(String(value));
}

async function snapshot(page: Page): Promise<Uint8Array> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');
  return readCanvas(page, W, H);
}

test('undo/redo across a filter, an overlay and a dream restores the exact pixels', async ({ page }) => {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'chelsea.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  // The canvas shows the document alone: no live filter preview over it.
  await page.getByTestId('preview-toggle').uncheck();
  const states = [await snapshot(page)];

  // 1. Filter (the default article kernel).
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  states.push(await snapshot(page));

  // 2. Grad-CAM overlay burnt into the photo (the model is downloaded through the picker first).
  await page.getByTestId('tab-explain').click();
  await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('top-class')).toHaveCount(5, { timeout: 120_000 });
  await page.getByTestId('cam-run').click();
  await expect(page.getByTestId('cam-result')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('cam-burn').click();
  await expect.poll(() => historyLength(page)).toBe(2);
  states.push(await snapshot(page));

  // 3. A small dream over the whole photo.
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('dream-preview-toggle').uncheck();
  await setSlider(page, 'dream-steps', 2);
  await setSlider(page, 'dream-octaves', 1);
  await page.getByTestId('dream-whole').click();
  await expect.poll(() => historyLength(page), { timeout: 180_000 }).toBe(3);
  await expect(page.getByTestId('job')).toHaveCount(0);
  await page.getByTestId('dream-show-mask').uncheck();
  states.push(await snapshot(page));

  for (let k = 1; k < states.length; k++) expect(same(states[k]!, states[k - 1]!)).toBe(false);
  for (let k = states.length - 2; k >= 0; k--) {
    await page.getByTestId('undo').click();
    expect(same(await snapshot(page), states[k]!)).toBe(true);
  }
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  for (let k = 1; k < states.length; k++) {
    await page.getByTestId('redo').click();
    expect(same(await snapshot(page), states[k]!)).toBe(true);
  }
});
