/**
 * Export from the browser build (no harness: the web host and `npm run web`'s export route): the
 * download carries the filter's parameters; reopening it offers "Restore these settings", which
 * puts the same kernel and options in the Filter panel, and Apply on the original gives its pixels.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readPngText } from '../src/services/png-text';
import { photosDir } from './harness';
import { decodeRgba, readCanvas } from './pixels';

const chelsea = join(photosDir, 'chelsea.png');
const W = 451;
const H = 300;

async function openInBrowser(page: Page, path: string, title: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open').click();
  await (await chooser).setFiles(path);
  await expect(page.getByTestId('doc-title')).toHaveText(title);
  await page.keyboard.press('1');
}

test('browser export carries the filter parameters; Restore these settings re-applies them to the same pixels', async ({ page }) => {
  await page.goto('/');
  await openInBrowser(page, chelsea, 'chelsea.png');
  await page.getByTestId('kernel-select').selectOption('sobel-magnitude');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');

  await page.getByTestId('export-as').click();
  await page.getByTestId('export-format').selectOption('png');
  await page.getByTestId('export-name').fill('sobel.png');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-ok').click();
  const file = await (await download).path();
  const text = readPngText(await readFile(file));
  expect(text['onirique:operation']).toBe('filter');
  expect(JSON.parse(text['onirique:filter-options']!)).toMatchObject({ combine: 'magnitude' });
  const exported = await decodeRgba(file);

  // Another kernel in the panel, then reopen the export: the offer puts the exported one back.
  await page.getByTestId('kernel-select').selectOption('gaussian');
  await openInBrowser(page, file, basename(file));
  await page.getByTestId('restore-settings').click();
  await expect(page.getByTestId('kernel-select')).toHaveValue('sobel-magnitude');

  await openInBrowser(page, chelsea, 'chelsea.png');
  await page.getByTestId('preview-toggle').uncheck();
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  expect(Buffer.from(await readCanvas(page, W, H)).equals(Buffer.from(exported.data))).toBe(true);
});
