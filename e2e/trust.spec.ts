/**
 * The trust issue, end to end: what the Filter panel shows is what it applies (after tab switches,
 * in the editor, in the preview), Cancel leaves the document untouched, shortcuts work unless the
 * user is typing, Esc closes the help sheet, presets come with sensible defaults, and French tells
 * Undo from Cancel.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openApp, photosDir, type Harness } from './harness';

type Img = { width: number; height: number; data: Uint8Array | Uint8ClampedArray };
type EditorView = { doc: { image: Img } | null; history: { labels: string[] }; layers: Record<string, { image: Img }> };

/** Opens a photo from the shared folder (or any path) and waits for its title. */
async function openPhoto(page: Page, path: string, name: string): Promise<Harness> {
  const h = await openApp(page);
  await expect(page.getByTestId('backend')).toContainText(/tfjs: (webgl|wasm|cpu)/);
  h.nextOpen = path;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText(name);
  return h;
}

/** A cheap fingerprint of the document's pixels (FNV-1a over every byte), read in the page. */
function docHash(page: Page): Promise<string> {
  return page.evaluate(() => {
    const ed = (window as unknown as { __onirique: EditorView }).__onirique;
    const img = ed.doc!.image;
    let h = 0x811c9dc5;
    for (let i = 0; i < img.data.length; i++) h = Math.imul(h ^ img.data[i]!, 16777619) >>> 0;
    return `${img.width}x${img.height}:${h.toString(16)}`;
  });
}

function historyLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __onirique: EditorView }).__onirique.history.labels.slice());
}

/** Mean of R, G, B over an image read in the page: the document, or a named layer. */
function meanOf(page: Page, layer: string | null): Promise<number> {
  return page.evaluate((name) => {
    const ed = (window as unknown as { __onirique: EditorView }).__onirique;
    const img = name ? ed.layers[name]!.image : ed.doc!.image;
    let s = 0;
    for (let i = 0; i < img.data.length; i += 4) s += img.data[i]! + img.data[i + 1]! + img.data[i + 2]!;
    return s / ((img.data.length / 4) * 3);
  }, layer);
}

const coffee = join(photosDir, 'coffee.png');

test('after a tab switch the Filter panel shows, edits and applies the kernel chosen; no derived_inert warning', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('derived_inert')) warnings.push(m.text());
  });
  await openPhoto(page, coffee, 'coffee.png');
  await page.getByTestId('kernel-select').selectOption('sobel-x');
  await expect(page.getByLabel('Row 2, column 1')).toHaveValue('-2');
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('tab-filter').click();
  await page.getByTestId('kernel-select').selectOption('laplacian-4');

  await expect(page.getByTestId('preset-doc')).toContainText('Laplacian');
  await expect(page.getByLabel('Row 2, column 2')).toHaveValue('-4');
  await expect(page.getByLabel('Row 2, column 1')).toHaveValue('1');
  await expect(page.getByTestId('kernel-name')).toHaveValue('laplacian-4');
  await expect(page.getByTestId('kernel-sum')).toContainText('= 0');
  const response = () => page.getByTestId('frequency-response').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  const laplacian = await response();

  // A cell edit changes the kernel: the sum, the source and the response follow.
  await page.getByLabel('Row 2, column 2').fill('-3');
  await page.getByLabel('Row 2, column 2').press('Enter');
  await expect(page.getByTestId('kernel-sum')).toContainText('= 1');
  await expect(page.getByTestId('kernel-select')).toHaveValue('custom');
  await expect.poll(response).not.toBe(laplacian);

  await page.getByTestId('kernel-select').selectOption('laplacian-4');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• coffee.png');
  expect(await historyLabels(page)).toEqual(['Filter: laplacian-4']);
  expect(warnings).toEqual([]);
});

test('Cancel during a tiled filter stops it: the document stays byte-identical and the status says so', async ({ page }) => {
  // A noisy 2400x1600 photo, cut into small tiles: many steps, each a chance to stop.
  const w = 2400;
  const hgt = 1600;
  const raw = Buffer.alloc(w * hgt * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  const file = join(await mkdtemp(join(tmpdir(), 'onirique-trust-')), 'noise.png');
  await sharp(raw, { raw: { width: w, height: hgt, channels: 3 } }).png({ compressionLevel: 1 }).toFile(file);
  const p2 = page;
  await openPhoto(p2, file, 'noise.png');
  const before = await docHash(p2);

  await p2.getByTestId('preview-toggle').uncheck();
  await p2.getByTestId('kernel-select').selectOption('gaussian');
  await p2.getByTestId('param-sigma').fill('10');
  await p2.getByTestId('channels').selectOption('rgb');
  await p2.getByTestId('border').selectOption('reflect');
  await p2.getByTestId('filter-advanced').click();
  await p2.getByTestId('tile-size').fill('160');
  await p2.getByTestId('tile-size').press('Enter');
  await p2.getByTestId('apply-filter').click();
  await expect(p2.getByTestId('job')).toContainText(/Convolving tile \d+\/\d+/);
  await p2.getByTestId('job').getByRole('button').click();

  await expect(p2.getByTestId('job')).toHaveCount(0);
  await expect(p2.getByTestId('notice')).toContainText(/cancel/i);
  await expect(p2.getByTestId('doc-title')).toHaveText('noise.png');
  await expect(p2.getByTestId('undo')).toBeDisabled();
  expect(await historyLabels(p2)).toEqual([]);
  expect(await docHash(p2)).toBe(before);
});

test('shortcuts work while a checkbox or slider has focus, not while typing in a number field; Esc closes Help', async ({ page }) => {
  await openPhoto(page, coffee, 'coffee.png');
  await expect(page.getByTestId('zoom')).not.toHaveText('100%');
  await page.getByTestId('preview-toggle').focus();
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).toHaveText('100%');

  await page.getByTestId('kernel-select').selectOption('gaussian');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• coffee.png');
  await page.getByTestId('param-sigma').focus();
  await page.keyboard.press('0');
  await expect(page.getByTestId('zoom')).not.toHaveText('100%');
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');

  // Typing a digit in a number field stays typing.
  await page.getByTestId('stride').focus();
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom')).not.toHaveText('100%');

  await page.getByTestId('compare').focus();
  await page.keyboard.press('F1');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);
});

test('"Custom (editor)" after a 25x25 preset can still be resized, normalised, rotated and cleared', async ({ page }) => {
  await openPhoto(page, coffee, 'coffee.png');
  await page.getByTestId('kernel-select').selectOption('gaussian');
  await page.getByTestId('param-sigma').fill('4');
  await expect(page.getByTestId('kernel-rows')).toHaveValue('25');
  await page.getByTestId('kernel-select').selectOption('custom');
  for (const id of ['kernel-rows', 'kernel-cols', 'kernel-divisor', 'kernel-normalise', 'kernel-rotate', 'kernel-clear']) {
    await expect(page.getByTestId(id), id).toBeEnabled();
  }
  await page.getByTestId('kernel-rows').fill('5');
  await page.getByTestId('kernel-rows').press('Enter');
  await page.getByTestId('kernel-cols').fill('5');
  await page.getByTestId('kernel-cols').press('Enter');
  await expect(page.getByTestId('kernel-grid')).toBeVisible();
  await expect(page.getByLabel('Row 5, column 5')).toBeVisible();
  await page.getByTestId('kernel-clear').click();
  await expect(page.getByTestId('kernel-sum')).toContainText('= 0');
});

test('live preview shows as soon as the panel is on a photo, and equals what Apply gives', async ({ page }) => {
  // Faint texture everywhere, one bright block in the top-left corner: the strongest edges lie
  // outside a zoomed-in view of the centre, so a crop's own abs-max would look brighter than Apply.
  const w = 600;
  const hgt = 400;
  const raw = Buffer.alloc(w * hgt * 3);
  for (let i = 0; i < w * hgt; i++) raw.fill(100 + (((i * 2654435761) >>> 24) & 7), 3 * i, 3 * i + 3);
  for (let y = 4; y < 20; y++) for (let x = 4; x < 20; x++) raw.fill(255, 3 * (y * w + x), 3 * (y * w + x) + 3);
  const file = join(await mkdtemp(join(tmpdir(), 'onirique-trust-')), 'corner.png');
  await sharp(raw, { raw: { width: w, height: hgt, channels: 3 } }).png().toFile(file);
  await openPhoto(page, file, 'corner.png');
  // Ticked by default: the preview comes without any change.
  await expect(page.getByTestId('preview-toggle')).toBeChecked();
  await expect(page.getByTestId('preview-status')).toHaveAttribute('data-status', 'ready');

  // Zoomed in on part of the photo: abs-max must scale by the whole photo's max, as Apply does.
  await page.getByTestId('kernel-select').selectOption('laplacian-8');
  await page.keyboard.press('1');
  for (let i = 0; i < 3; i++) await page.keyboard.press('+');
  const layerArea = () =>
    page.evaluate(() => {
      const l = (window as unknown as { __onirique: EditorView }).__onirique.layers['filter-preview'];
      return l ? l.image.width * l.image.height : 0;
    });
  await expect.poll(layerArea).toBeGreaterThan(0);
  await expect.poll(layerArea).toBeLessThan(600 * 400);
  await expect(page.getByTestId('preview-status')).toHaveAttribute('data-status', 'ready');
  const shown = await page.evaluate(() => {
    const ed = (window as unknown as { __onirique: { layers: Record<string, { x: number; y: number; image: Img }> } }).__onirique;
    const l = ed.layers['filter-preview']!;
    return { x: l.x, y: l.y, width: l.image.width, height: l.image.height, data: Array.from(l.image.data) };
  });
  expect(shown.width * shown.height).toBeLessThan(600 * 400);
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• corner.png');
  const applied = await page.evaluate((r) => {
    const img = (window as unknown as { __onirique: EditorView }).__onirique.doc!.image;
    const out: number[] = [];
    for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) for (let c = 0; c < 4; c++) out.push(img.data[(y * img.width + x) * 4 + c]!);
    return out;
  }, shown);
  let d = 0;
  for (let i = 0; i < applied.length; i++) d = Math.max(d, Math.abs(applied[i]! - shown.data[i]!));
  expect(d).toBeLessThanOrEqual(1);
  expect(shown.x).toBeGreaterThan(20);
  expect(shown.y).toBeGreaterThan(20);
});

test('presets bring sensible defaults: blur on R,G,B with reflect, edges on luminance; the panel says so', async ({ page }) => {
  await openPhoto(page, coffee, 'coffee.png');
  await page.getByTestId('kernel-select').selectOption('gaussian');
  await expect(page.getByTestId('channels')).toHaveValue('rgb');
  await expect(page.getByTestId('border')).toHaveValue('reflect');
  await expect(page.getByTestId('output')).toHaveValue('clamp');
  await expect(page.getByTestId('preset-defaults')).toContainText('R, G, B');
  await page.getByTestId('preview-toggle').uncheck();
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• coffee.png');
  // A colour photo stays in colour and without a dark frame.
  const px = await page.evaluate(() => {
    const img = (window as unknown as { __onirique: EditorView }).__onirique.doc!.image;
    let chroma = 0;
    for (let i = 0; i < img.data.length; i += 4) chroma = Math.max(chroma, Math.abs(img.data[i]! - img.data[i + 2]!));
    const corner = [0, 1, 2].map((c) => img.data[c]!);
    return { chroma, corner };
  });
  expect(px.chroma).toBeGreaterThan(50);
  const mean = await meanOf(page, null);
  expect(mean).toBeGreaterThan(20);

  await page.getByTestId('kernel-select').selectOption('sobel-magnitude');
  await expect(page.getByTestId('channels')).toHaveValue('luma');
  await expect(page.getByTestId('output')).toHaveValue('abs-max');
  // The user can still change them.
  await page.getByTestId('border').selectOption('replicate');
  await expect(page.getByTestId('border')).toHaveValue('replicate');
  await page.getByTestId('channels').selectOption('rgb');
  await expect(page.getByTestId('channels')).toHaveValue('rgb');
});

test('French tells Undo from Cancel', async ({ page }) => {
  await openPhoto(page, coffee, 'coffee.png');
  await page.getByTestId('locale').selectOption('fr');
  const undo = (await page.getByTestId('undo').textContent())!.trim();
  expect(undo).not.toBe('Annuler');
  expect(undo.length).toBeGreaterThan(0);
});
