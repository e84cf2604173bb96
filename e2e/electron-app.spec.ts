/** The real desktop app through Playwright's _electron: runs wherever the Electron binary exists. */
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './harness';

function electronBinary(): string | null {
  try {
    const p = createRequire(join(repoRoot, 'package.json'))('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

test('desktop app starts hardened and shows the editor', async () => {
  const bin = electronBinary();
  if (!bin) {
    const reason = 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1 or offline): _electron.launch cannot run here';
    console.log(`[skip] ${reason}`);
    test.skip(true, reason);
    return;
  }
  const app = await electron.launch({ executablePath: bin, args: [repoRoot], env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' } });
  const win = await app.firstWindow();
  await expect(win.getByTestId('open')).toBeVisible();
  expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  expect(await win.evaluate(() => (window as unknown as { onirique?: { kind: string } }).onirique?.kind)).toBe('electron');
  await app.close();
});
