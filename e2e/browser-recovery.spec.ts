/**
 * Crash recovery in the plain browser build (no harness: the web host, its snapshot in the origin's
 * private file system): an edit survives a reload and comes back pixel for pixel.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import type { HostApi } from '../src/host/host-contract';
import { photosDir } from './harness';

/** SHA-256 of the open document's pixels, computed in the page. */
function docHash(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const data = (window as unknown as { __onirique: { doc: { image: { data: Uint8ClampedArray } } } }).__onirique.doc.image.data;
    const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(data));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  });
}

/** Operation labels of the snapshot the page's OPFS holds (null: none), read as a later session would. */
function storedOperations(page: Page): Promise<string[] | null> {
  return page.evaluate(async () => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('onirique-recovery', { create: true });
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) {
      try {
        const dir = await root.getDirectoryHandle(name);
        const m = JSON.parse(await (await (await dir.getFileHandle('manifest.json')).getFile()).text()) as { operations: string[] };
        return m.operations;
      } catch {
        // No snapshot in this folder.
      }
    }
    return null;
  });
}

test('in the browser build an edit survives a reload: the banner offers it and Restore gives the same pixels', async ({ page }) => {
  await page.goto('/');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('open').click()]);
  await chooser.setFiles(join(photosDir, 'chelsea.png'));
  await expect(page.getByTestId('doc-title')).toHaveText('chelsea.png');
  const opened = await docHash(page);
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  const edited = await docHash(page);
  expect(edited).not.toBe(opened);
  await expect.poll(async () => (await storedOperations(page))?.length ?? 0, { timeout: 15_000 }).toBe(1);

  await page.reload();
  await expect(page.getByTestId('recovery')).toContainText('chelsea.png');
  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByTestId('doc-title')).toHaveText('• chelsea.png');
  expect(await docHash(page)).toBe(edited);

  // Declined after the next reload: the snapshot is gone, and the one after that offers nothing.
  await page.reload();
  await expect(page.getByTestId('recovery')).toBeVisible();
  await page.getByRole('button', { name: 'Discard' }).click();
  await expect.poll(() => storedOperations(page)).toBeNull();
  await page.reload();
  await expect(page.getByTestId('open')).toBeVisible();
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('recovery')).toHaveCount(0);
});

test('the browser host stores tiles over its base, refuses a stale base, and gives back base plus tiles', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('open')).toBeVisible();
  const expected = await page.evaluate(async () => {
    const host = (window as unknown as { __onirique: { host: HostApi } }).__onirique.host;
    const w = 300;
    const h = 200;
    const data = new Uint8ClampedArray(w * h * 4).map((_, i) => (i * 7) % 251);
    const id = await host.saveRecovery({ width: w, height: h, data }, { name: 'tiles.png', operations: ['a'] });
    if (!id) throw new Error('no snapshot id');
    const tile = { x: 256, y: 0, w: 44, h: 200, data: new Uint8ClampedArray(44 * 200 * 4).fill(200) };
    const stale = await host.saveRecoveryTiles({ base: 'not-the-base', width: w, height: h, tiles: [tile] }, { name: 'tiles.png', operations: ['a', 'b'] });
    const next = await host.saveRecoveryTiles({ base: id, width: w, height: h, tiles: [tile] }, { name: 'tiles.png', operations: ['a', 'b'] });
    for (let r = 0; r < 200; r++) data.fill(200, (r * w + 256) * 4, (r * w + 300) * 4);
    const digest = await crypto.subtle.digest('SHA-256', data);
    return { stale, next, hash: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('') };
  });
  expect(expected.stale).toBeNull();
  expect(typeof expected.next).toBe('string');

  await page.reload();
  await expect(page.getByTestId('recovery')).toContainText('tiles.png');
  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByTestId('doc-title')).toHaveText('• tiles.png');
  expect(await docHash(page)).toBe(expected.hash);
});
