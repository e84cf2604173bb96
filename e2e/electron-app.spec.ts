/**
 * The real desktop app through Playwright's _electron: hardened window, then open → filter → export
 * with the native dialogs answered by the test. Runs wherever the Electron binary exists; skips
 * with the reason printed where it does not (it cannot be downloaded on the CI machines).
 */
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photosDir, repoRoot } from './harness';
import { articleReference, decodeRgba, maxGreyDiff } from './pixels';

function electronBinary(): string | null {
  try {
    const p = createRequire(join(repoRoot, 'package.json'))('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

async function launchOrSkip(): Promise<ElectronApplication | null> {
  const bin = electronBinary();
  if (!bin) {
    const reason = 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1 or offline): _electron.launch cannot run here';
    console.log(`[skip] ${reason}`);
    test.skip(true, reason);
    return null;
  }
  const userData = await mkdtemp(join(tmpdir(), 'onirique-electron-'));
  return electron.launch({ executablePath: bin, args: [repoRoot, `--user-data-dir=${userData}`], env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' } });
}

test('desktop app: hardened window; open → filter → export through the native dialogs', async () => {
  const app = await launchOrSkip();
  if (!app) return;
  const win = await app.firstWindow();
  await expect(win.getByTestId('open')).toBeVisible();
  expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  expect(await win.evaluate(() => (window as unknown as { onirique?: { kind: string } }).onirique?.kind)).toBe('electron');
  expect(await win.evaluate(() => location.protocol)).toBe('app:');

  const coffee = join(photosDir, 'coffee.png');
  const out = join(await mkdtemp(join(tmpdir(), 'onirique-export-')), 'edges.png');
  // Answer the native dialogs in main, as a user would.
  await app.evaluate(({ dialog }, paths) => {
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [paths.open] })) as typeof dialog.showOpenDialog;
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath: paths.save })) as typeof dialog.showSaveDialog;
  }, { open: coffee, save: out });

  await win.getByTestId('open').click();
  await expect(win.getByTestId('doc-title')).toContainText('coffee.png');
  await win.getByTestId('apply-filter').click();
  await expect(win.getByTestId('doc-title')).toContainText('• coffee.png');
  await win.getByTestId('export').click();
  await expect(win.getByTestId('notice')).toContainText('edges.png');

  const exported = await decodeRgba(out);
  expect(maxGreyDiff(articleReference(await decodeRgba(coffee)), exported.data)).toBeLessThanOrEqual(1);
  await app.close();
});
