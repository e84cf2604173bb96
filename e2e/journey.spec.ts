/**
 * One journey through the app as a person uses it: open, filter (changing the preset across tab
 * switches), dream a stroke, explain, export, reopen the export, undo across panels, open another
 * photo over unsaved edits (Cancel, then Don't save), cancel a long job. Pixels, history names and
 * the exported file are checked at each step.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { openApp, photosDir, repoRoot, type Harness } from './harness';
import { decodeRgba, readCanvas } from './pixels';

const chelsea = join(photosDir, 'chelsea.png');
const W = 451;
const H = 300;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const historyLabels = (page: Page) => page.evaluate(() => (window as unknown as { __onirique?: { history: { labels: string[] } } }).__onirique?.history.labels ?? []);

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** The CLI's filter output for the same preset on the same file. */
async function cliFilter(h: Harness, kernel: string): Promise<Uint8Array> {
  const out = join(h.userDataDir, `cli-${kernel}.png`);
  execFileSync(process.execPath, [join(repoRoot, 'dist', 'cli', 'onirique.cjs'), 'filter', '--kernel', kernel, chelsea, out], { cwd: repoRoot, stdio: 'pipe' });
  return (await decodeRgba(out)).data;
}

async function snapshot(page: Page, w = W, h = H): Promise<Uint8Array> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');
  return readCanvas(page, w, h);
}

async function setSlider(page: Page, id: string, value: number) {
  await page.getByTestId(id).fill(String(value));
  await expect(page.getByTestId(`${id}-value`)).toContainText(String(value));
}

async function installIfNeeded(page: Page) {
  const install = page.getByTestId('model-install');
  const ready = page.getByTestId('model-ready');
  // The picker shows one or the other once it has listed the models.
  await expect(install.or(ready)).toBeVisible();
  if (await install.isVisible()) await install.click();
  await expect(ready).toBeVisible({ timeout: 150_000 });
}

const steps = (page: Page) => page.getByTestId('history-panel').getByTestId('history-step');
const current = (page: Page) => page.getByTestId('history-panel').locator('[aria-current="step"]');

test('a whole journey: open, filter, dream, explain, export, reopen, undo, open another, cancel', async ({ page }) => {
  test.setTimeout(600_000);
  const h = await openApp(page);
  await expect(page.getByTestId('backend')).toContainText(/tfjs: (webgl|wasm|cpu)/);

  // Open.
  h.nextOpen = chelsea;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  const original = await snapshot(page);
  expect(maxDiff(original, (await decodeRgba(chelsea)).data)).toBe(0);
  await expect(steps(page)).toHaveText(['Opened']);

  // Filter: the preset changes survive tab switches; Apply gives what the CLI gives.
  await page.getByTestId('kernel-select').selectOption('sobel-y');
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('tab-filter').click();
  await expect(page.getByTestId('kernel-select')).toHaveValue('sobel-y');
  await page.getByTestId('kernel-select').selectOption('sobel-magnitude');
  await page.getByTestId('tab-explain').click();
  await page.getByTestId('tab-filter').click();
  await expect(page.getByTestId('kernel-select')).toHaveValue('sobel-magnitude');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  await expect(page.getByTestId('job')).toHaveCount(0);
  const filtered = await snapshot(page);
  expect(maxDiff(filtered, await cliFilter(h, 'sobel-magnitude'))).toBeLessThanOrEqual(1);
  const filterLabel = (await historyLabels(page))[0]!;
  expect(filterLabel).toMatch(/^Filter: /);
  await expect(steps(page)).toHaveText(['Opened', filterLabel]);

  // Dream stroke.
  await page.getByTestId('tab-dream').click();
  await installIfNeeded(page);
  await page.getByTestId('dream-preview-toggle').uncheck();
  await page.getByTestId('dream-show-mask').uncheck();
  await setSlider(page, 'dream-steps', 2);
  await setSlider(page, 'dream-octaves', 1);
  await setSlider(page, 'dream-brush-size', 48);
  await page.getByTestId('dream-brush').check();
  await snapshot(page);
  const canvas = page.getByTestId('view-canvas');
  const box = (await canvas.boundingBox())!;
  const ox = box.x + Number(await canvas.getAttribute('data-ox'));
  const oy = box.y + Number(await canvas.getAttribute('data-oy'));
  await page.mouse.move(ox + 150, oy + 150);
  await page.mouse.down();
  await page.mouse.move(ox + 260, oy + 160, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await historyLabels(page)).length, { timeout: 180_000 }).toBe(2);
  await expect(page.getByTestId('job')).toHaveCount(0);
  await page.getByTestId('dream-brush').uncheck();
  const dreamed = await snapshot(page);
  expect(same(dreamed, filtered)).toBe(false);
  // Far from the stroke the pixels are the filter's.
  expect(maxDiff(dreamed.subarray(0, W * 40 * 4), filtered.subarray(0, W * 40 * 4))).toBe(0);
  const labels = await historyLabels(page);
  expect(labels[1]).toMatch(/Dream/);
  await expect(current(page)).toHaveText(labels[1]!);

  // Explain: the CAM is an overlay, not a change to the photo.
  await page.getByTestId('tab-explain').click();
  await installIfNeeded(page);
  await expect(page.getByTestId('top-class')).toHaveCount(5, { timeout: 120_000 });
  await page.getByTestId('cam-run').click();
  await expect(page.getByTestId('cam-result')).toBeVisible({ timeout: 120_000 });
  expect(await historyLabels(page)).toEqual(labels);

  // Export: the file holds the document's pixels and its history.
  const exported = join(h.userDataDir, 'journey-export.png');
  h.nextSave = exported;
  await page.getByTestId('export').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  expect(same((await decodeRgba(exported)).data, dreamed)).toBe(true);

  // Reopen the export: no question (it is saved), the same pixels, a fresh history.
  h.nextOpen = exported;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('journey-export.png');
  await expect(page.getByTestId('save-prompt')).toHaveCount(0);
  const reopened = await snapshot(page);
  expect(same(reopened, dreamed)).toBe(true);
  await expect(steps(page)).toHaveText(['Opened']);

  // Undo across panels: a filter applied in Filter, undone from Dream, redone from Explain.
  await page.getByTestId('tab-filter').click();
  await page.getByTestId('kernel-select').selectOption('gaussian');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• journey-export.png');
  await expect(page.getByTestId('job')).toHaveCount(0);
  const blurred = await snapshot(page);
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('undo').click();
  await expect(current(page)).toHaveText('Opened');
  expect(same(await snapshot(page), reopened)).toBe(true);
  await page.getByTestId('tab-explain').click();
  await page.getByTestId('redo').click();
  await expect(current(page)).toHaveText(/^Filter: /);
  expect(same(await snapshot(page), blurred)).toBe(true);

  // Another photo over unsaved edits: Cancel keeps the document, Don't save replaces it.
  h.nextOpen = join(photosDir, 'coffee.png');
  await page.getByTestId('open').click();
  await expect(page.getByRole('alertdialog', { name: 'Save changes?' })).toBeVisible();
  await page.getByTestId('save-prompt-cancel').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• journey-export.png');
  expect(same(await snapshot(page), blurred)).toBe(true);
  await page.getByTestId('open').click();
  await page.getByTestId('save-prompt-discard').click();
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  const coffee = await snapshot(page, 600, 400);
  expect(maxDiff(coffee, (await decodeRgba(join(photosDir, 'coffee.png'))).data)).toBe(0);
  await expect(steps(page)).toHaveText(['Opened']);

  // Cancel a long job: a many-step dream of the whole photo, stopped; nothing changes.
  await page.getByTestId('tab-dream').click();
  await setSlider(page, 'dream-steps', 40);
  await setSlider(page, 'dream-octaves', 3);
  await page.getByTestId('dream-whole').click();
  await expect(page.getByTestId('job')).toBeVisible();
  await page.getByTestId('job').getByRole('button').click();
  await expect(page.getByTestId('job')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('notice')).toContainText(/cancel/i);
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  expect(await historyLabels(page)).toEqual([]);
  expect(same(await snapshot(page, 600, 400), coffee)).toBe(true);
});
