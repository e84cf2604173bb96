// The built app (dist/web/server.cjs) in Debian Chromium on a fresh persistent profile, ready with
// its compute worker on wasm: shared by the bench suites that time the app's own worker ops.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const { chromium } = createRequire(import.meta.url)('playwright-core');
const root = resolve(import.meta.dirname, '..', '..');
/** Chromium flags of the e2e tests: SwiftShader GL, no background traffic. */
export const chromiumArgs = ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** True when the app has been built (the suites that need it skip or fail otherwise). */
export const appBuilt = () => existsSync(join(root, 'dist/web/server.cjs'));

/**
 * Serves the app over `dataDir` (a fresh one when omitted), opens it, waits for the wasm backend,
 * runs `fn(page)`, and removes what it made. Refuses a page that is not cross-origin isolated,
 * because wasm would then run without threads and the rows would not be what users get.
 */
export async function withAppPage(fn, { dataDir, portBase = 4500, setup } = {}) {
  const data = dataDir ?? mkdtempSync(join(tmpdir(), 'onirique-bench-data-'));
  const profile = mkdtempSync(join(tmpdir(), 'onirique-bench-'));
  const port = portBase + Math.floor(Math.random() * 50);
  const server = spawn(process.execPath, [join(root, 'dist/web/server.cjs'), '--port', String(port), '--user-data', data], { stdio: 'ignore' });
  try {
    await new Promise((ok) => setTimeout(ok, 800));
    const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: chromiumArgs });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await setup?.(page);
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForSelector('text=tfjs: wasm', { timeout: 120000 });
      if (!(await page.evaluate(() => self.crossOriginIsolated))) throw new Error('the page is not cross-origin isolated: wasm would run without threads');
      return await fn(page);
    } finally {
      await context.close();
    }
  } finally {
    server.kill();
    rmSync(profile, { recursive: true, force: true });
    if (!dataDir) rmSync(data, { recursive: true, force: true });
  }
}
