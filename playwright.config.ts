/** End-to-end tests: the built renderer in Debian Chromium (software WebGL), host services injected by the harness. */
import { defineConfig } from '@playwright/test';

const chromiumArgs = [
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: 'http://127.0.0.1:4319/',
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'node dist/web/server.cjs --port 4319',
    url: 'http://127.0.0.1:4319/',
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
  },
});
