/**
 * The Explain panel on a small window (1024×640): Run and the exports stay in reach in the action
 * bar at the bottom, picking another class re-runs the map (a run in flight is cancelled for the
 * newer pick), and the feature maps are brought into view when they open.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { openApp, photosDir } from './harness';
import { readCanvas } from './pixels';

const VIEWPORT = { width: 1024, height: 640 };
test.use({ viewport: VIEWPORT });

const coffee = join(photosDir, 'coffee.png');
const W = 600;
const H = 400;
/** ImageNet id 967 (imagenet_labels.json): espresso, the photo's top-1. */
const ESPRESSO = 967;

/** The element's box, asserted to lie wholly inside the window. */
async function inWindow(el: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await el.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(VIEWPORT.width);
  expect(box!.y + box!.height).toBeLessThanOrEqual(VIEWPORT.height);
  return box!;
}

/** How far the side panel is scrolled. */
function panelScroll(page: Page): Promise<number> {
  return page.getByTestId('explain-panel').evaluate((el) => el.closest('aside')!.scrollTop);
}

/** Share of bytes that differ between two RGBA buffers. */
function changedShare(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n / a.length;
}

test('at 1024×640: Run and exports in reach, a picked class re-runs the map, feature maps open in view', async ({ page }) => {
  test.setTimeout(300_000);
  const h = await openApp(page);
  h.nextOpen = coffee;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');

  await page.getByTestId('tab-explain').click();
  await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 120_000 });
  const top = page.getByTestId('top-class');
  await expect(top).toHaveCount(5);
  await expect(top.first()).toHaveAttribute('data-index', String(ESPRESSO));

  // Run is in the action bar at the bottom, whole, without scrolling the panel.
  expect(await panelScroll(page)).toBe(0);
  const run = page.getByTestId('cam-run');
  await inWindow(run);
  await run.click();
  const result = page.getByTestId('cam-result');
  await expect(result).toHaveAttribute('data-class', String(ESPRESSO), { timeout: 120_000 });
  await expect(page.getByTestId('job')).toHaveCount(0);

  // With a map, the exports join Run in the bar: all in the window with the panel at its top
  // (the click may have scrolled it: Playwright brings what it clicks into view).
  await page.getByTestId('explain-panel').evaluate((el) => el.closest('aside')!.scrollTo(0, 0));
  expect(await panelScroll(page)).toBe(0);
  for (const id of ['export-overlay', 'export-heat16', 'export-npy', 'export-csv', 'cam-run']) await inWindow(page.getByTestId(id));
  if (process.env.EXPLAIN_SCREENSHOT) await page.screenshot({ path: process.env.EXPLAIN_SCREENSHOT.replace(/\.png$/, '-small.png') });
  const first = await readCanvas(page, W, H);

  // Picking the second class of the top-5 re-runs the map for it: new overlay, new class in the result.
  const second = Number(await top.nth(1).getAttribute('data-index'));
  const secondLabel = (await top.nth(1).locator('.label').textContent())!.trim();
  expect(second).not.toBe(ESPRESSO);
  await top.nth(1).click();
  await expect(page.getByTestId('cam-target')).toHaveAttribute('data-index', String(second));
  await expect(result).toHaveAttribute('data-class', String(second), { timeout: 120_000 });
  await expect(result.locator('.summary')).toContainText(secondLabel);
  await expect(page.getByTestId('job')).toHaveCount(0);
  const secondMap = await readCanvas(page, W, H);
  expect(changedShare(first, secondMap)).toBeGreaterThan(0.05);

  // Two quick picks: the first one's run is cancelled (or done), the map ends on the last pick.
  const third = Number(await top.nth(2).getAttribute('data-index'));
  await top.nth(3).click();
  await top.nth(2).click();
  await expect(page.getByTestId('cam-target')).toHaveAttribute('data-index', String(third));
  await expect(result).toHaveAttribute('data-class', String(third), { timeout: 120_000 });
  await expect(page.getByTestId('job')).toHaveCount(0);
  expect(changedShare(secondMap, await readCanvas(page, W, H))).toBeGreaterThan(0.05);

  // Opening the feature maps scrolls them into view, above the action bar.
  await page.getByTestId('fm-run').click();
  await expect(page.getByTestId('fm-caption')).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => {
    const box = await page.getByTestId('fm-canvas').boundingBox();
    return box ? box.y + box.height : Infinity;
  }).toBeLessThanOrEqual(VIEWPORT.height);
  const fm = await inWindow(page.getByTestId('fm-canvas'));
  const bar = (await page.getByTestId('explain-actions').boundingBox())!;
  expect(fm.y + fm.height).toBeLessThanOrEqual(bar.y);
  await inWindow(page.getByTestId('cam-run'));
  if (process.env.EXPLAIN_SCREENSHOT) await page.screenshot({ path: process.env.EXPLAIN_SCREENSHOT.replace(/\.png$/, '-small-fm.png') });
});
