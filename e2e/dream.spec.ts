/**
 * The Dream panel end to end on a real photo with the real model (downloaded through the picker):
 * a brush stroke dreams under it only (pixels outside the stroke keep their bytes, inside they
 * change), undo restores the original exactly, redo the dream exactly, Cancel leaves the document
 * as it was, and the export carries the dream parameters and the model's SHA-256.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPngText } from '../src/services/png-text';
import { openApp, photosDir, startModelHost } from './harness';
import { decodeRgba, readCanvas } from './pixels';

const chelsea = join(photosDir, 'chelsea.png');
const W = 451;
const H = 300;
const BRUSH = 40;
// Stroke in document pixels (the view is at 100%).
const A: [number, number] = [140, 110];
const B: [number, number] = [300, 170];

function segDist(px: number, py: number): number {
  const [ax, ay] = A;
  const vx = B[0] - ax;
  const vy = B[1] - ay;
  const t = Math.min(1, Math.max(0, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

async function setSlider(page: Page, id: string, value: number) {
  await page.getByTestId(id).fill(String(value));
  await expect(page.getByTestId(`${id}-value`)).toContainText(String(value));
}

async function stroke(page: Page) {
  const canvas = page.getByTestId('view-canvas');
  const box = (await canvas.boundingBox())!;
  const ox = Number(await canvas.getAttribute('data-ox'));
  const oy = Number(await canvas.getAttribute('data-oy'));
  await page.mouse.move(box.x + ox + A[0], box.y + oy + A[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + ox + B[0], box.y + oy + B[1], { steps: 8 });
  await page.mouse.up();
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

test('a brush stroke dreams under it only; undo, redo and cancel are exact; export has the parameters', async ({ page }) => {
  // The store fetches `<base><id>/<file>`; the harness's host URL already ends in the model folder, so point at its root.
  const baseUrl = await startModelHost();
  const h = await openApp(page, { modelOptions: { baseUrl } });
  await expect(page.getByTestId('backend')).toContainText(/tfjs: (webgl|wasm|cpu)/);
  h.nextOpen = chelsea;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');

  await page.getByTestId('tab-dream').click();
  await expect(page.getByTestId('dream-panel')).toBeVisible();
  await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('dream-layer')).toHaveValue('conv_pw_9_relu');
  await expect(page.getByTestId('dream-layer-note')).toContainText('object-like parts');

  // Small parameters (software GL machine, wasm worker); no sketch or mask tint over the canvas we read.
  await page.getByTestId('dream-preview-toggle').uncheck();
  await page.getByTestId('dream-show-mask').uncheck();
  await setSlider(page, 'dream-steps', 2);
  await setSlider(page, 'dream-octaves', 1);
  await setSlider(page, 'dream-tile', 256);
  await setSlider(page, 'dream-step-size', 0.05);
  await setSlider(page, 'dream-jitter', 8);
  await page.getByTestId('dream-seed').fill('3');
  await setSlider(page, 'dream-brush-size', BRUSH);
  await page.getByTestId('dream-brush').check();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');
  const original = await readCanvas(page, W, H);

  await stroke(page);
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png', { timeout: 120_000 });
  await expect(page.getByTestId('job')).toHaveCount(0);
  const dreamed = await readCanvas(page, W, H);

  let outsideMax = 0;
  let insideSum = 0;
  let inside = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = segDist(x + 0.5, y + 0.5);
      const p = (y * W + x) * 4;
      const diff = Math.max(...[0, 1, 2].map((c) => Math.abs(dreamed[p + c]! - original[p + c]!)));
      if (d > BRUSH / 2 + 1) outsideMax = Math.max(outsideMax, diff);
      else if (d < BRUSH / 4) {
        insideSum += diff;
        inside++;
      }
    }
  }
  expect(outsideMax).toBeLessThanOrEqual(1);
  expect(inside).toBeGreaterThan(1000);
  expect(insideSum / inside).toBeGreaterThan(2);

  await page.getByTestId('undo').click();
  expect(same(await readCanvas(page, W, H), original)).toBe(true);
  await page.getByTestId('redo').click();
  expect(same(await readCanvas(page, W, H), dreamed)).toBe(true);

  // A longer stroke cancelled mid-run: nothing changes.
  await setSlider(page, 'dream-steps', 40);
  await setSlider(page, 'dream-octaves', 3);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await stroke(page);
  await page.getByTestId('job').getByRole('button').click();
  await expect(page.getByTestId('job')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toContainText('cancelled');
  expect(same(await readCanvas(page, W, H), dreamed)).toBe(true);

  // Export: the history label and the dream parameters with the model's SHA-256.
  const out = join(h.userDataDir, 'dreamed.png');
  h.nextSave = out;
  await page.getByTestId('export').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  const text = readPngText(await readFile(out));
  expect(text['onirique:history']).toMatch(/^Dream conv_pw_9_relu ×1 steps 2 octaves 1 seed 3$/);
  expect(text['onirique:model-sha256']).toMatch(/^[0-9a-f]{64}$/);
  const params = JSON.parse(text['onirique:dream']!) as { layer: string; steps: number; tile: number; seed: number; kind: string }[];
  expect(params).toHaveLength(1);
  expect(params[0]).toMatchObject({ kind: 'stroke', layer: 'conv_pw_9_relu', steps: 2, tile: 256, seed: 3 });
});

test('live preview while sliders move; dream where the model sees a class; mask export', async ({ page }) => {
  const baseUrl = await startModelHost();
  const h = await openApp(page, { modelOptions: { baseUrl } });
  h.nextOpen = chelsea;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.keyboard.press('1');
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('model-install').click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
  const original = await readCanvas(page, W, H);

  // Moving a slider sketches the visible area in a layer; the document itself is untouched.
  await setSlider(page, 'dream-steps', 2);
  await expect(page.getByTestId('dream-preview-status')).toHaveAttribute('data-status', 'ready');
  expect(same(await readCanvas(page, W, H), original)).toBe(false);
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.getByTestId('dream-preview-toggle').uncheck();
  expect(same(await readCanvas(page, W, H), original)).toBe(true);

  await setSlider(page, 'dream-octaves', 1);
  await setSlider(page, 'dream-step-size', 0.05);
  await page.getByTestId('dream-show-mask').uncheck();
  // With no search, the list starts with what the network sees in this photo: a cat class (281–285).
  await expect(page.getByTestId('dream-class')).toHaveValue(/^28[1-5]$/);
  await expect(page.getByTestId('dream-class').locator('option').first()).toContainText('seen:');
  await page.getByTestId('dream-class-search').fill('tabby');
  await expect(page.getByTestId('dream-class')).toContainText('tabby');
  await page.getByTestId('dream-where').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png', { timeout: 120_000 });
  const dreamed = await readCanvas(page, W, H);
  expect(same(dreamed, original)).toBe(false);
  await page.getByTestId('dream-show-mask').check();
  if (process.env.DREAM_SCREENSHOT) await page.screenshot({ path: process.env.DREAM_SCREENSHOT });

  // The CAM mask exports as grayscale: white where the cat is, and not everywhere.
  const maskPath = join(h.userDataDir, 'mask.png');
  h.nextSave = maskPath;
  await page.getByTestId('dream-export-mask').click();
  await expect(page.getByTestId('notice')).toContainText('mask.png');
  const mask = await decodeRgba(maskPath);
  expect([mask.width, mask.height]).toEqual([W, H]);
  let white = 0;
  let black = 0;
  let colored = 0;
  // Plain counting: one Playwright expect per pixel would take minutes.
  for (let i = 0; i < W * H; i++) {
    if (mask.data[i * 4] !== mask.data[i * 4 + 1] || mask.data[i * 4] !== mask.data[i * 4 + 2]) colored++;
    if (mask.data[i * 4]! > 200) white++;
    if (mask.data[i * 4] === 0) black++;
  }
  expect(colored).toBe(0);
  expect(white).toBeGreaterThan(W * H * 0.05);
  // The cat fills most of chelsea.png: the map still leaves some of the photo alone.
  expect(black).toBeGreaterThan(W * H * 0.01);

  await page.getByTestId('dream-show-mask').uncheck();
  await page.getByTestId('undo').click();
  expect(same(await readCanvas(page, W, H), original)).toBe(true);
  await expect(page.getByTestId('dream-export-mask')).toBeDisabled();
});
