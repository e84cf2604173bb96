/**
 * "Import model folder…" in the plain browser build (no harness): the folder's files go to the
 * build's own server, through the desktop's validation gate, into the server's model cache; the
 * model is listed again after a reload, classifies, and disappears when removed.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostServices } from '../src/services/host-services';
import { photosDir, repoRoot, sharedModelsDir } from './harness';

const MODEL = 'mobilenet_v1_0.75_224';
/** ImageNet ids: 967 espresso, 968 cup. */
const ESPRESSO_OR_CUP = /^96[78]$/;

let services: HostServices;
let server: ChildProcess;
let url: string;
let work: string;

/** Starts the built server (`npm run web`) on `userData`; resolves to its address once it listens. */
function startServer(userData: string): Promise<string> {
  server = spawn(process.execPath, [join(repoRoot, 'dist', 'web', 'server.cjs'), '--port', '0', '--user-data', userData], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let out = '';
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) ok(m[1]!);
    });
    server.once('exit', (code) => fail(new Error(`the web server exited (${code})`)));
  });
}

test.beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'onirique-browser-models-'));
  // Its own server on a fresh user data folder, so the test never touches the machine's model cache.
  url = await startServer(join(work, 'user-data'));
  // The same cache seen as the CLI sees it: what the server stored, and a removal.
  services = new HostServices(join(work, 'user-data'));
  await services.init();
});

test.afterAll(() => {
  server.kill();
});

async function importFolder(page: Page, dir: string): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import model folder…' }).click()]);
  await chooser.setFiles(dir);
}

test('a model folder imported in the browser is validated, listed after a reload, classifies, and can be removed', async ({ page }) => {
  test.setTimeout(300_000);
  // A copy: the shared models are never touched.
  const folder = join(work, 'pick', MODEL);
  await cp(join(sharedModelsDir, MODEL), folder, { recursive: true });
  await page.goto(url);
  const [open] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('open').click()]);
  await open.setFiles(join(photosDir, 'coffee.png'));
  await expect(page.getByTestId('doc-title')).toHaveText('coffee.png');
  await page.getByTestId('tab-explain').click();
  await importFolder(page, folder);
  await expect(page.getByTestId('notice')).toContainText(MODEL);
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 120_000 });
  const top = page.getByTestId('top-class');
  await expect(top).toHaveCount(5, { timeout: 120_000 });
  await expect(top.first()).toHaveAttribute('data-index', ESPRESSO_OR_CUP);
  await expect(top.first()).toContainText(/espresso|cup/);

  const entry = (await services.listModels()).find((m) => m.name === MODEL && m.id.startsWith('imported-'));
  expect(entry?.installed).toBe(true);

  await page.reload();
  await page.getByTestId('tab-explain').click();
  await expect(page.getByTestId('model-select').locator('option', { hasText: MODEL })).toHaveCount(1);

  // Removal as the CLI does it (`onirique models remove`), on the same cache: the page's list follows.
  await services.models.remove(entry!.id);
  await expect(page.getByTestId('model-select').locator('option', { hasText: MODEL })).toHaveCount(0, { timeout: 20_000 });
});

test('a damaged folder is refused in the browser with the desktop import’s reason', async ({ page }) => {
  const folder = join(work, 'damaged', MODEL);
  await cp(join(sharedModelsDir, MODEL), folder, { recursive: true });
  await truncate(join(folder, 'group10-shard1of1'), 100);
  await page.goto(url);
  await page.getByTestId('tab-explain').click();
  await importFolder(page, folder);
  await expect(page.getByTestId('model-error')).toContainText('Cannot import this model');
  await expect(page.getByTestId('model-error')).toContainText('group10-shard1of1');
  expect((await services.listModels()).some((m) => m.id.startsWith('imported-'))).toBe(false);
});
