/**
 * The Dream brush as it feels: sized in screen pixels (the outline under the cursor is the size,
 * `[` and `]` resize it), strokes dream that screen size at any zoom, Shift-click draws a straight
 * line from the last stroke's end, the mask tint is hidden once a stroke is done (M shows it),
 * undo/redo are exact, and a guide image chosen in the panel guides a stroke.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPngText } from '../src/services/png-text';
import { openApp, photosDir, startModelHost } from './harness';
import { readCanvas } from './pixels';

const chelsea = join(photosDir, 'chelsea.png');
const W = 451;
const H = 300;

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

function segDist(px: number, py: number, a: [number, number], b: [number, number]): number {
  const vx = b[0] - a[0];
  const vy = b[1] - a[1];
  const t = Math.min(1, Math.max(0, ((px - a[0]) * vx + (py - a[1]) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (a[0] + t * vx), py - (a[1] + t * vy));
}

async function setSlider(page: Page, id: string, value: number) {
  await page.getByTestId(id).fill(String(value));
  await expect(page.getByTestId(`${id}-value`)).toContainText(String(value));
}

/** Screen position of a document point at the current view. */
async function screenOf(page: Page, p: [number, number]): Promise<[number, number]> {
  const canvas = page.getByTestId('view-canvas');
  const box = (await canvas.boundingBox())!;
  const z = Number(await canvas.getAttribute('data-zoom'));
  const ox = Number(await canvas.getAttribute('data-ox'));
  const oy = Number(await canvas.getAttribute('data-oy'));
  return [box.x + ox + p[0] * z, box.y + oy + p[1] * z];
}

async function stroke(page: Page, a: [number, number], b: [number, number]) {
  await page.mouse.move(...(await screenOf(page, a)));
  await page.mouse.down();
  await page.mouse.move(...(await screenOf(page, b)), { steps: 8 });
  await page.mouse.up();
}

const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

/** Opens chelsea.png in the Dream panel, with the model installed when asked. */
async function setup(page: Page, withModel: boolean) {
  const h = await openApp(page, withModel ? { modelOptions: { baseUrl: await startModelHost() } } : {});
  h.nextOpen = chelsea;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.getByTestId('tab-dream').click();
  if (withModel) {
    await page.getByTestId('model-install').click();
    await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
    await page.getByTestId('dream-preview-toggle').uncheck();
    await setSlider(page, 'dream-steps', 2);
    await setSlider(page, 'dream-octaves', 1);
    await setSlider(page, 'dream-tile', 256);
    await setSlider(page, 'dream-step-size', 0.05);
    await setSlider(page, 'dream-jitter', 8);
    await page.getByTestId('dream-seed').fill('3');
  }
  return h;
}

test('the brush outline is its size in screen pixels at any zoom, and [ ] resize it', async ({ page }) => {
  await setup(page, false);
  await page.getByTestId('dream-brush').check();
  await blur(page);
  const ring = page.getByTestId('brush-cursor');
  const width = () => ring.evaluate((e) => parseFloat((e as HTMLElement).style.width));
  await page.mouse.move(...(await screenOf(page, [200, 150])));
  await expect(ring).toBeVisible();
  expect(Math.round(await width())).toBe(64);
  await page.keyboard.press(']');
  await expect(page.getByTestId('dream-brush-size-value')).toHaveText('77 px');
  expect(Math.round(await width())).toBe(77);
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  await expect(page.getByTestId('dream-brush-size-value')).toHaveText('53 px');
  expect(Math.round(await width())).toBe(53);
  // Another zoom: the same circle on screen.
  await page.keyboard.press('1');
  await page.keyboard.press('+');
  await expect(page.getByTestId('zoom')).toHaveText('150%');
  await page.mouse.move(...(await screenOf(page, [220, 150])));
  expect(Math.round(await width())).toBe(53);
  // The canvas hides the system cursor: the outline is the cursor.
  expect(await page.getByTestId('view-canvas').evaluate((c) => getComputedStyle(c).cursor)).toBe('none');
});

test('a stroke dreams its screen size at 200%; the tint is hidden after (M shows it); Shift-click is straight; undo/redo exact', async ({ page }) => {
  await setup(page, true);
  await setSlider(page, 'dream-brush-size', 40);
  await page.getByTestId('dream-brush').check();
  await blur(page);
  await page.keyboard.press('1');
  const original = await readCanvas(page, W, H);

  // 40 screen px at 200% is 20 document px: radius 10.
  const A: [number, number] = [190, 130];
  const B: [number, number] = [250, 160];
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await expect(page.getByTestId('zoom')).toHaveText('200%');
  await stroke(page, A, B);
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png', { timeout: 120_000 });
  await expect(page.getByTestId('job')).toHaveCount(0);

  // Shift-click: a straight stroke from B to C.
  const C: [number, number] = [250, 100];
  await page.keyboard.down('Shift');
  await page.mouse.click(...(await screenOf(page, C)));
  await page.keyboard.up('Shift');
  await expect(page.getByTestId('job')).toHaveCount(1);
  await expect(page.getByTestId('job')).toHaveCount(0, { timeout: 120_000 });
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');
  const dreamed = await readCanvas(page, W, H);

  let outsideMax = 0;
  let insideAB = 0;
  let insideBC = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 4;
      const diff = Math.max(...[0, 1, 2].map((c) => Math.abs(dreamed[p + c]! - original[p + c]!)));
      const dAB = segDist(x + 0.5, y + 0.5, A, B);
      const dBC = segDist(x + 0.5, y + 0.5, B, C);
      if (Math.min(dAB, dBC) > 11) outsideMax = Math.max(outsideMax, diff);
      if (dAB < 4 && diff > 0) insideAB++;
      // The middle of B–C, away from both ends: only a straight stroke reaches it.
      if (dBC < 4 && y > 115 && y < 145 && diff > 0) insideBC++;
    }
  }
  expect(outsideMax).toBeLessThanOrEqual(1);
  expect(insideAB).toBeGreaterThan(200);
  expect(insideBC).toBeGreaterThan(100);

  // The tint is not left over the result; M shows the mask and hides it again.
  await expect(page.getByTestId('dream-show-mask')).not.toBeChecked();
  await page.keyboard.press('m');
  await expect(page.getByTestId('dream-show-mask')).toBeChecked();
  const tinted = await readCanvas(page, W, H);
  const mid = (Math.round(145) * W + 220) * 4;
  expect(tinted[mid + 2]!).toBeGreaterThan(dreamed[mid + 2]!);
  await page.keyboard.press('m');
  await expect(page.getByTestId('dream-show-mask')).not.toBeChecked();
  expect(same(await readCanvas(page, W, H), dreamed)).toBe(true);

  // Two strokes, two undo steps; redo brings back exactly the dream.
  await page.getByTestId('undo').click();
  await page.getByTestId('undo').click();
  expect(same(await readCanvas(page, W, H), original)).toBe(true);
  await page.getByTestId('redo').click();
  await page.getByTestId('redo').click();
  expect(same(await readCanvas(page, W, H), dreamed)).toBe(true);
});

test('a guide image chosen in the panel guides a brush stroke (and the export names it)', async ({ page }) => {
  const h = await setup(page, true);
  await page.getByTestId('dream-show-mask').uncheck();
  await setSlider(page, 'dream-brush-size', 60);
  await page.getByTestId('dream-brush').check();
  await blur(page);
  await page.keyboard.press('1');
  const A: [number, number] = [140, 110];
  const B: [number, number] = [300, 170];

  await stroke(page, A, B);
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png', { timeout: 120_000 });
  await expect(page.getByTestId('job')).toHaveCount(0);
  const plain = await readCanvas(page, W, H);
  await page.getByTestId('undo').click();

  await page.getByTestId('dream-guide-file').setInputFiles(join(photosDir, 'coffee.png'));
  await expect(page.getByTestId('dream-guide-name')).toContainText('coffee.png');
  await blur(page);
  await stroke(page, A, B);
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png', { timeout: 120_000 });
  await expect(page.getByTestId('job')).toHaveCount(0);
  const guided = await readCanvas(page, W, H);
  expect(same(guided, plain)).toBe(false);

  const out = join(h.userDataDir, 'guided.png');
  h.nextSave = out;
  await page.getByTestId('export').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  const text = readPngText(await readFile(out));
  expect(text['onirique:history']).toContain('guided by “coffee.png”');
  const params = JSON.parse(text['onirique:dream']!) as { kind: string; guide?: string }[];
  expect(params).toHaveLength(1);
  expect(params[0]).toMatchObject({ kind: 'stroke', guide: 'coffee.png' });
});
