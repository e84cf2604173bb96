/**
 * The GPU path: with the backend set to webgl, the three panels run tfjs's WebGL shaders (here on
 * SwiftShader, the same shaders a user's GPU runs) and give what wasm gives on the same photo:
 * the filter to one grey level, the same top-5, the same Grad-CAM overlay, the same dream.
 * Everything else is tested on wasm, which the app picks on this machine's software GL.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { openApp, photosDir, startModelHost, type Harness } from './harness';

const coffee = join(photosDir, 'coffee.png');

interface Run {
  original: number[];
  filtered: number[];
  top: string[];
  cam: number[];
  dreamed: number[];
}

type Pixels = { data: ArrayLike<number> };
type AppWindow = { __onirique: { doc: { image: Pixels }; layers: Record<string, { image: Pixels }> } };
const docPixels = (page: Page) => page.evaluate(() => Array.from((window as unknown as AppWindow).__onirique.doc.image.data));
const layerPixels = (page: Page, name: string) => page.evaluate((n) => Array.from((window as unknown as AppWindow).__onirique.layers[n]!.image.data), name);

function diff(a: number[], b: number[]): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

async function runPanels(page: Page, h: Harness, backend: 'wasm' | 'webgl'): Promise<Run> {
  await h.services.setSettings({ backend });
  await page.reload();
  await expect(page.getByTestId('backend')).toContainText(`tfjs: ${backend}`, { timeout: 60_000 });
  h.nextOpen = coffee;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  const original = await docPixels(page);

  await page.getByTestId('kernel-select').selectOption('sobel-magnitude');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('undo')).toBeEnabled({ timeout: 120_000 });
  const filtered = await docPixels(page);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('undo')).toBeDisabled();

  await page.getByTestId('tab-explain').click();
  // Installed by the first run; the picker shows the install button only before that.
  if (backend === 'wasm') await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('top-class')).toHaveCount(5, { timeout: 120_000 });
  const top = await page.getByTestId('top-class').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-index')} ${e.textContent?.trim()}`));
  await page.getByTestId('cam-run').click();
  await expect(page.getByTestId('cam-result')).toBeVisible({ timeout: 120_000 });
  const cam = await layerPixels(page, 'gradcam');

  await page.getByTestId('tab-dream').click();
  await page.getByTestId('dream-steps').fill('1');
  await page.getByTestId('dream-octaves').fill('1');
  await page.getByTestId('dream-whole').click();
  await expect(page.getByTestId('undo')).toBeEnabled({ timeout: 120_000 });
  return { original, filtered, top, cam, dreamed: await docPixels(page) };
}

test('webgl gives what wasm gives: filter, top-5, Grad-CAM, dream', async ({ page }) => {
  test.setTimeout(420_000);
  const h = await openApp(page, { modelOptions: { baseUrl: await startModelHost() } });
  const wasm = await runPanels(page, h, 'wasm');
  const webgl = await runPanels(page, h, 'webgl');

  expect(webgl.original).toEqual(wasm.original);
  // Each result really changed the photo, so agreeing is not agreeing on nothing.
  expect(diff(wasm.filtered, wasm.original).mean).toBeGreaterThan(20);
  expect(diff(wasm.dreamed, wasm.original).mean).toBeGreaterThan(0.3);
  expect(wasm.top[0]).toMatch(/^967 espresso/);

  expect(diff(webgl.filtered, wasm.filtered).max).toBeLessThanOrEqual(1);
  expect(webgl.top).toEqual(wasm.top);
  // A colormap bin can flip where the two float maps differ in the last bits: a few levels, rarely.
  const cam = diff(webgl.cam, wasm.cam);
  expect(cam.mean).toBeLessThan(0.02);
  expect(cam.max).toBeLessThanOrEqual(8);
  const dream = diff(webgl.dreamed, wasm.dreamed);
  expect(dream.max).toBeLessThanOrEqual(2);
  expect(dream.mean).toBeLessThan(0.01);
});
