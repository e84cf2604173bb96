/**
 * The Teach panel end to end with the real MobileNet: two classes made by dropping photos (crops of
 * two real photos), a few epochs trained with the live curve drawn, the confusion matrix shown, the
 * model saved in the manager with its class names and SHA-256, then Explain classifying with it.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import sharp from 'sharp';
import { openApp, photosDir } from './harness';

const EPOCHS = 3;

/** Four 160-pixel crops of a photo, as PNG files. */
async function crops(photo: string): Promise<{ name: string; bytes: number[] }[]> {
  const src = join(photosDir, photo);
  const { width, height } = await sharp(src).metadata();
  const out: { name: string; bytes: number[] }[] = [];
  for (const [i, [fx, fy]] of [[0.1, 0.1], [0.5, 0.1], [0.1, 0.45], [0.45, 0.45]].entries()) {
    const left = Math.floor(width! * fx!);
    const top = Math.floor(height! * fy!);
    const png = await sharp(src).extract({ left, top, width: Math.min(160, width! - left), height: Math.min(160, height! - top) }).png().toBuffer();
    out.push({ name: `${photo.replace(/\..*$/, '')}-${i}.png`, bytes: [...png] });
  }
  return out;
}

/** Drops files on an element as the OS would (a DataTransfer holding File objects). */
async function dropFiles(page: Page, target: Locator, files: { name: string; bytes: number[] }[]): Promise<void> {
  const dt = await page.evaluateHandle((list) => {
    const d = new DataTransfer();
    for (const f of list) d.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: 'image/png' }));
    return d;
  }, files);
  await target.dispatchEvent('dragover', { dataTransfer: dt });
  await target.dispatchEvent('drop', { dataTransfer: dt });
}

test('two classes by drop, a few epochs with the curve and the matrix, then Explain with the new model', async ({ page }) => {
  test.setTimeout(480_000);
  const h = await openApp(page);
  await page.getByTestId('tab-teach').click();
  await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 120_000 });

  await page.getByTestId('teach-class-name-0').fill('cat');
  await page.getByTestId('teach-class-name-1').fill('coffee');
  await dropFiles(page, page.getByTestId('teach-class-0'), await crops('chelsea.png'));
  await dropFiles(page, page.getByTestId('teach-class-1'), await crops('coffee.png'));
  await expect(page.getByTestId('teach-class-count-0')).toContainText('4');
  await expect(page.getByTestId('teach-class-count-1')).toContainText('4');
  // The drop went to the classes, not to the window: no document was opened.
  await expect(page.getByTestId('doc-title')).toHaveCount(0);

  await page.getByTestId('teach-epochs').fill(String(EPOCHS));
  await page.getByTestId('teach-model-name').fill('Cat or coffee');
  await expect(page.getByTestId('teach-train')).toBeEnabled();
  await page.getByTestId('teach-train').click();

  const result = page.getByTestId('teach-result');
  await expect(result).toBeVisible({ timeout: 300_000 });
  // The curve: one point per epoch, train and validation lines drawn on axes.
  await expect(page.getByTestId('teach-chart-loss')).toHaveAttribute('data-points', String(EPOCHS));
  await expect(page.getByTestId('teach-curve-loss-train')).toHaveAttribute('d', /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){2}$/);
  await expect(page.getByTestId('teach-curve-accuracy-val')).toHaveAttribute('d', /^M/);
  // The matrix counts the held-out photos: one per class (20 % of 4, at least one).
  const matrix = page.getByTestId('teach-matrix');
  await expect(matrix).toContainText('cat');
  await expect(matrix).toContainText('coffee');
  const cells = await Promise.all(['0-0', '0-1', '1-0', '1-1'].map(async (k) => Number(await page.getByTestId(`teach-cell-${k}`).textContent())));
  expect(cells.reduce((a, b) => a + b, 0)).toBe(2);
  // A few epochs already learn the two classes: both held-out photos land on the diagonal.
  expect(cells[0]! + cells[3]!).toBe(2);
  await expect(page.getByTestId('teach-wrong').or(page.getByTestId('teach-wrong-none'))).toBeVisible();

  // Saved in the model manager with its classes and SHA-256, and now the active model.
  const saved = (await h.services.listModels()).find((m) => m.name === 'Cat or coffee');
  expect(saved).toMatchObject({ installed: true, labels: ['cat', 'coffee'], source: 'imported' });
  expect(saved!.sha256).toMatch(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('teach-saved')).toContainText(saved!.sha256!.slice(0, 16));

  // Explain with the new model: its top classes are the two taught ones.
  h.nextOpen = join(photosDir, 'chelsea.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.getByTestId('tab-explain').click();
  const top = page.getByTestId('top-class');
  await expect(top).toHaveCount(2, { timeout: 120_000 });
  await expect(top.first()).toContainText('cat');
});
