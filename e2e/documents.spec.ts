/** Documents in the real UI: bad input never costs the open document, EXIF upright, crash recovery, French UI. */
import { expect, test, type Page } from '@playwright/test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { openApp, photosDir } from './harness';
import { decodeRgba, readCanvas } from './pixels';

function pngHeaderClaiming(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, 6, 0, 0, 0], 8);
  const type = Buffer.from('IHDR', 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(13);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), len, type, data, crc]);
}

test('bad input gives a clear message and the open document stays intact', async ({ page }) => {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'coffee.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  await page.keyboard.press('1');
  // The canvas shows the document alone: no live filter preview over it.
  await page.getByTestId('preview-toggle').uncheck();
  const before = await readCanvas(page, 600, 400);

  const jpeg = await readFile(join(photosDir, 'rocket.jpg'));
  const cases: [string, Buffer, RegExp][] = [
    ['truncated.jpg', jpeg.subarray(0, jpeg.length >> 1), /truncated|damaged|corrupt|premature/i],
    ['empty.png', Buffer.alloc(0), /empty/i],
    ['notes.jpg', Buffer.from('Just some text, not a picture.\n'.repeat(4)), /not an image/i],
    ['bomb.png', pngHeaderClaiming(50_000, 50_000), /50,000/],
    ['panorama.png', pngHeaderClaiming(40_000, 2_000), /40,000/],
    ['document.pdf', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), /not an image|unsupported|PDF/i],
  ];
  for (const [name, bytes, message] of cases) {
    const path = join(h.userDataDir, name);
    await writeFile(path, bytes);
    h.nextOpen = path;
    await page.getByTestId('open').click();
    await expect(page.getByTestId('error')).toContainText(name);
    await expect(page.getByTestId('error')).toContainText(message);
    await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
    await page.getByRole('button', { name: 'Dismiss' }).click();
  }
  expect(Buffer.from(await readCanvas(page, 600, 400)).equals(Buffer.from(before))).toBe(true);
});

test('an EXIF-rotated JPEG opens upright', async ({ page }) => {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'chelsea_exif_orientation6.jpg');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea_exif_orientation6.jpg');
  await page.keyboard.press('1');
  const shown = await readCanvas(page, 451, 300);
  const upright = await decodeRgba(join(photosDir, 'chelsea.png'));
  let sum = 0;
  for (let i = 0; i < shown.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(shown[i + c]! - upright.data[i + c]!);
  // JPEG re-encoding of the rotated copy costs a few levels; a sideways cat would differ by ~50.
  expect(sum / (451 * 300 * 3)).toBeLessThan(6);
});

/** Records in the page each kind of pixels the canvas shows ('preview', 'document'), in order. */
async function watchDrawn(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __drawnKinds: string[] };
    w.__drawnKinds = [];
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=view-canvas]')!;
    new MutationObserver(() => w.__drawnKinds.push(c.dataset.drawn ?? '')).observe(c, { attributes: true, attributeFilter: ['data-drawn'] });
  });
}
const drawnKinds = (page: Page) => page.evaluate(() => (window as unknown as { __drawnKinds: string[] }).__drawnKinds);

test('a failed full decode after the preview keeps the previous document', async ({ page }) => {
  const h = await openApp(page);
  h.nextOpen = join(photosDir, 'chelsea.png');
  await page.getByTestId('open').click();
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.keyboard.press('1');
  // The canvas shows the document alone: no live filter preview over it.
  await page.getByTestId('preview-toggle').uncheck();
  const before = await readCanvas(page, 451, 300);
  await page.keyboard.press('0');
  await watchDrawn(page);
  // The start of the 16 MP photo decodes (the preview), the whole of it does not.
  const jpeg = await readFile(join(photosDir, 'dandelions_5312x2988.jpg'));
  const cut = join(h.userDataDir, 'cut-dandelions.jpg');
  await writeFile(cut, jpeg.subarray(0, Math.round(jpeg.length * 0.6)));
  h.nextOpen = cut;
  await page.getByTestId('open').click();
  await expect(page.getByTestId('error')).toContainText(/cut-dandelions\.jpg.*truncated or damaged.*previous document is unchanged/);
  expect(await drawnKinds(page)).toContain('preview');
  await expect(page.getByTestId('view-canvas')).toHaveAttribute('data-drawn', 'document');
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  await page.keyboard.press('1');
  expect(Buffer.from(await readCanvas(page, 451, 300)).equals(Buffer.from(before))).toBe(true);
  expect(h.calls).toContain('fullImage');
});

test('in the browser host a 16 MP photo shows a preview first, then opens at full resolution', async ({ page }) => {
  // No harness: the plain browser host, which decodes through the local server's services.
  await page.goto('/');
  await watchDrawn(page);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('open').click()]);
  await chooser.setFiles(join(photosDir, 'dandelions_5312x2988.jpg'));
  await expect(page.getByTestId('doc-title')).toHaveText('dandelions_5312x2988.jpg');
  await expect(page.getByTestId('view-canvas')).toHaveAttribute('data-drawn', 'document');
  const kinds = await drawnKinds(page);
  expect(kinds.indexOf('preview')).toBeGreaterThanOrEqual(0);
  expect(kinds.indexOf('preview')).toBeLessThan(kinds.indexOf('document'));
  const size = await page.evaluate(() => {
    const { width, height } = (window as unknown as { __onirique: { doc: { image: { width: number; height: number } } } }).__onirique.doc.image;
    return { width, height };
  });
  expect(size).toEqual({ width: 5312, height: 2988 });
  await expect(page.getByTestId('apply-filter')).toBeEnabled();
});

test('after a crash the last operation is offered back', async ({ browser }) => {
  const first = await browser.newPage();
  const h = await openApp(first);
  h.nextOpen = join(photosDir, 'chelsea.png');
  await first.getByTestId('open').click();
  await expect(first.getByTestId('doc-title')).toHaveText('chelsea.png');
  await first.getByTestId('apply-filter').click();
  await expect(first.getByTestId('doc-title')).toHaveText('• chelsea.png');
  await first.keyboard.press('1');
  const filtered = await readCanvas(first, 451, 300);
  await expect.poll(async () => (await h.services.recovery.peek())?.operations.length ?? 0).toBe(1);
  await first.close(); // the "crash": no export, no clean close

  const second = await browser.newPage();
  await openApp(second, { userDataDir: h.userDataDir });
  await expect(second.getByTestId('recovery')).toContainText('chelsea.png');
  await second.getByRole('button', { name: 'Restore' }).click();
  await second.keyboard.press('1');
  expect(Buffer.from(await readCanvas(second, 451, 300)).equals(Buffer.from(filtered))).toBe(true);
  await second.close();
});

test('the UI speaks French when asked', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('locale').selectOption('fr');
  await expect(page.getByTestId('open')).toHaveText('Ouvrir…');
  await expect(page.getByText('Ouvrez une photo')).toBeVisible();
});
