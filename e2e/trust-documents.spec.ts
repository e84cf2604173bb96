/**
 * Trust in the document: unsaved edits are never thrown away without asking (open, drop, paste),
 * the History panel lists and visits every named step, and before/after compares by a divider
 * dragged on the canvas, against the original or the previous step.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openApp, photosDir, type Harness } from './harness';
import { decodeRgba, readCanvas } from './pixels';

const W = 451;
const H = 300;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const historyLabels = (page: Page) => page.evaluate(() => (window as unknown as { __onirique?: { history: { labels: string[] } } }).__onirique?.history.labels ?? []);

async function openChelsea(page: Page): Promise<Harness> {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'chelsea.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');
  return h;
}

async function applyFilter(page: Page, kernel: string): Promise<void> {
  await page.getByTestId('kernel-select').selectOption(kernel);
  const before = (await historyLabels(page)).length;
  await page.getByTestId('apply-filter').click();
  await expect.poll(async () => (await historyLabels(page)).length).toBe(before + 1);
  await expect(page.getByTestId('job')).toHaveCount(0);
}

/** Drops (or pastes) a photo from disk on the window, as a file manager or the clipboard hands it over. */
async function handOver(page: Page, how: 'drop' | 'paste', path: string, name: string): Promise<void> {
  const bytes = [...(await readFile(path))];
  await page.evaluate(
    ([how, bytes, name]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes as number[])], name as string, { type: 'image/png' }));
      const target = document.querySelector('.app')!;
      if (how === 'drop') target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      else window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    },
    [how, bytes, name] as const,
  );
}

test('opening, dropping or pasting another photo over unsaved edits asks Save / Don’t save / Cancel', async ({ page }) => {
  const h = await openChelsea(page);
  await applyFilter(page, 'sobel-magnitude');
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  await page.keyboard.press('1');
  const edited = await readCanvas(page, W, H);
  const prompt = page.getByRole('alertdialog', { name: 'Save changes?' });

  // Open: Cancel changes nothing (the open dialog is not even shown).
  const dialogsShown = h.calls.filter((c) => c === 'openDialog').length;
  h.nextOpen = join(photosDir, 'coffee.png');
  await page.getByTestId('open').click();
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText('chelsea.png');
  await page.getByTestId('save-prompt-cancel').click();
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  expect(same(await readCanvas(page, W, H), edited)).toBe(true);
  expect(h.calls.filter((c) => c === 'openDialog')).toHaveLength(dialogsShown);

  // Drop: Esc is Cancel too.
  await handOver(page, 'drop', join(photosDir, 'coffee.png'), 'coffee.png');
  await expect(prompt).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');

  // Paste, Save: the export flow writes the file, then the pasted photo replaces the document.
  const saved = join(h.userDataDir, 'chelsea-saved.png');
  h.nextSave = saved;
  await handOver(page, 'paste', join(photosDir, 'coffee.png'), 'pasted-coffee.png');
  await page.getByTestId('save-prompt-save').click();
  await expect(page.getByTestId('doc-title')).toHaveText('pasted-coffee.png');
  expect((await stat(saved)).size).toBeGreaterThan(0);
  expect(same((await decodeRgba(saved)).data, edited)).toBe(true);

  // Save whose file dialog is cancelled: nothing changes.
  await applyFilter(page, 'sobel-magnitude');
  await page.getByTestId('open').click();
  await page.getByTestId('save-prompt-save').click();
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('doc-title')).toHaveText('• pasted-coffee.png');

  // Don't save: the other photo replaces the edits.
  h.nextOpen = join(photosDir, 'chelsea.png');
  await page.getByTestId('open').click();
  await page.getByTestId('save-prompt-discard').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');

  // A clean document opens the next photo without a question.
  h.nextOpen = join(photosDir, 'coffee.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  await expect(prompt).toHaveCount(0);
});

test('the History panel lists the named steps, marks the current one and goes to any step; Undo/Redo name theirs', async ({ page }) => {
  await openChelsea(page);
  const original = await readCanvas(page, W, H);
  await applyFilter(page, 'sobel-x');
  await page.keyboard.press('1');
  const first = await readCanvas(page, W, H);
  await applyFilter(page, 'gaussian');
  await page.keyboard.press('1');
  const second = await readCanvas(page, W, H);
  const labels = await historyLabels(page);
  expect(labels).toHaveLength(2);
  for (const l of labels) expect(l).toMatch(/^Filter: /);

  const panel = page.getByTestId('history-panel');
  const steps = panel.getByTestId('history-step');
  await expect(steps).toHaveText(['Opened', ...labels]);
  await expect(panel.locator('[aria-current="step"]')).toHaveText(labels[1]!);
  await expect(page.getByTestId('undo')).toHaveAttribute('title', `Undo “${labels[1]}” (Ctrl+Z)`);

  // Back to the photo as opened, in one click.
  await steps.nth(0).click();
  await expect(panel.locator('[aria-current="step"]')).toHaveText('Opened');
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  expect(same(await readCanvas(page, W, H), original)).toBe(true);
  await expect(page.getByTestId('redo')).toHaveAttribute('title', `Redo “${labels[0]}” (Ctrl+Shift+Z)`);
  // Undone steps stay listed (and reachable) until a new change.
  await expect(steps).toHaveText(['Opened', ...labels]);

  await steps.nth(2).click();
  await expect(panel.locator('[aria-current="step"]')).toHaveText(labels[1]!);
  expect(same(await readCanvas(page, W, H), second)).toBe(true);
  await steps.nth(1).click();
  await expect(panel.locator('[aria-current="step"]')).toHaveText(labels[0]!);
  expect(same(await readCanvas(page, W, H), first)).toBe(true);
  await expect(page.getByTestId('undo')).toHaveAttribute('title', `Undo “${labels[0]}” (Ctrl+Z)`);
  await expect(page.getByTestId('redo')).toHaveAttribute('title', `Redo “${labels[1]}” (Ctrl+Shift+Z)`);
});

/** The canvas x (CSS pixels) of a document column, at the current zoom and origin. */
async function canvasBox(page: Page) {
  const c = page.getByTestId('view-canvas');
  const box = (await c.boundingBox())!;
  const ox = Number(await c.getAttribute('data-ox'));
  const oy = Number(await c.getAttribute('data-oy'));
  return { left: box.x + ox, top: box.y + oy };
}

/** Columns [x0, x1) of RGBA rows equal in a and b. */
function columnsEqual(a: Uint8Array, b: Uint8Array, x0: number, x1: number): boolean {
  for (let y = 0; y < H; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 4; c++) if (a[(y * W + x) * 4 + c] !== b[(y * W + x) * 4 + c]) return false;
  return true;
}

test('before/after: the divider drags on the canvas, both sides are labelled, original or previous step', async ({ page }) => {
  await openChelsea(page);
  const original = await readCanvas(page, W, H);
  await applyFilter(page, 'sobel-x');
  await page.keyboard.press('1');
  const first = await readCanvas(page, W, H);
  await applyFilter(page, 'gaussian');
  await page.keyboard.press('1');
  const second = await readCanvas(page, W, H);

  await page.getByTestId('compare').check();
  await expect(page.getByTestId('compare-label-before')).toHaveText('Before · Original');
  await expect(page.getByTestId('compare-label-after')).toHaveText('After');
  const divider = page.getByTestId('compare-divider');
  await expect(divider).toBeVisible();

  // Drag the divider from the middle to a quarter of the photo's width.
  const { left, top } = await canvasBox(page);
  const d = (await divider.boundingBox())!;
  await page.mouse.move(d.x + d.width / 2, d.y + 40);
  await page.mouse.down();
  await page.mouse.move(left + W * 0.4, top + 40, { steps: 4 });
  await page.mouse.move(left + W * 0.25, top + 40, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByLabel('Before/after split')).toHaveValue('0.25');
  await expect(divider).toHaveAttribute('aria-valuenow', '25');
  let shown = await readCanvas(page, W, H);
  const sx = Math.round(W * 0.25);
  expect(columnsEqual(shown, original, 0, sx - 2)).toBe(true);
  expect(columnsEqual(shown, second, sx + 2, W)).toBe(true);
  expect(columnsEqual(shown, second, 0, sx - 2)).toBe(false);

  // Against the previous step: the left side is the first filter's result.
  await page.getByTestId('compare-with').selectOption('previous');
  await expect(page.getByTestId('compare-label-before')).toHaveText('Before · Previous step');
  shown = await readCanvas(page, W, H);
  expect(columnsEqual(shown, first, 0, sx - 2)).toBe(true);
  expect(columnsEqual(shown, second, sx + 2, W)).toBe(true);

  // Off again: the document alone.
  await page.getByTestId('compare').uncheck();
  await expect(page.getByTestId('compare-divider')).toHaveCount(0);
  expect(same(await readCanvas(page, W, H), second)).toBe(true);
});
