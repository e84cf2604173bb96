// App rows (issue 5): time to first pixels and memory after opening the 16 MP dandelions photo in the
// built editor (browser host, Debian Chromium), and memory after 20 undoable operations on it.
// References in the same run: a bare page that decodes and draws the same JPEG, and the goals.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = resolve(import.meta.dirname, '..', '..');
const photo = resolve(root, '..', 'shared', 'photos', 'dandelions_5312x2988.jpg');
const args = ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Proportional memory (PSS: shared pages split between processes) of a browser's process tree, in MB. */
function treeRssMB(pid) {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const kids = new Map();
  for (const [p, pp] of out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number))) kids.set(pp, [...(kids.get(pp) ?? []), p]);
  let kb = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      kb += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // The process ended between ps and the read.
    }
    stack.push(...(kids.get(p) ?? []));
  }
  return kb / 1024;
}

async function withServer(fn) {
  const port = 4390 + Math.floor(Math.random() * 50);
  const server = spawn(process.execPath, [join(root, 'dist/web/server.cjs'), '--port', String(port)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 800));
  try {
    return await fn(`http://127.0.0.1:${port}/`);
  } finally {
    server.kill();
  }
}

/** Launches Chromium as a server so its process tree can be measured. */
async function launch() {
  const server = await chromium.launchServer({ executablePath: '/usr/bin/chromium', args });
  const browser = await chromium.connect(server.wsEndpoint());
  return { browser, pid: server.process().pid, close: async () => (await browser.close(), await server.close()) };
}

async function measureApp(url) {
  const { browser, pid, close } = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForSelector('text=tfjs: wasm', { timeout: 120000 });
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=open]')]);
  const t0 = Date.now();
  await chooser.setFiles(photo);
  await page.waitForSelector('[data-testid=doc-title]', { timeout: 120000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const firstPixels = Date.now() - t0;
  const openMB = pid ? treeRssMB(pid) : NaN;
  for (let i = 0; i < 20; i++) {
    await page.click('[data-testid=apply-filter]');
    await page.waitForFunction((n) => window.__onirique?.revision >= n, i + 1, { timeout: 300000 });
  }
  const historyMB = await page.evaluate(() => window.__onirique.history.bytes / 2 ** 20);
  const afterMB = pid ? treeRssMB(pid) : NaN;
  await close();
  return { firstPixels, openMB, afterMB, historyMB };
}

async function measureBare() {
  const { browser, pid, close } = await launch();
  const page = await browser.newPage();
  await page.setContent('<input type=file id=f><canvas id=c></canvas>');
  const t0 = Date.now();
  await page.setInputFiles('#f', photo);
  await page.evaluate(async () => {
    const f = document.getElementById('f').files[0];
    const bmp = await createImageBitmap(f, { imageOrientation: 'from-image' });
    const c = document.getElementById('c');
    c.width = bmp.width;
    c.height = bmp.height;
    c.getContext('2d').drawImage(bmp, 0, 0);
    c.getContext('2d').getImageData(0, 0, 1, 1);
  });
  const ms = Date.now() - t0;
  const mb = pid ? treeRssMB(pid) : NaN;
  await close();
  return { ms, mb };
}

/** Rows for scripts/bench.mjs. */
export async function rows() {
  const bare = await measureBare();
  const app = await withServer(measureApp);
  return [
    { name: 'open 16 MP JPEG: time to first pixels', engine: 'Onirique (browser host)', ms: app.firstPixels, refName: 'bare page decode+draw', refMs: bare.ms },
    { name: 'memory after opening it (browser PSS, MB)', engine: 'Onirique (browser host)', ms: Math.round(app.openMB), refName: 'bare page (MB)', refMs: Math.round(bare.mb), unit: 'MB' },
    {
      name: `memory after 20 undoable filters (MB; history ${Math.round(app.historyMB)} MB)`,
      engine: 'Onirique (browser host)',
      ms: Math.round(app.afterMB),
      refName: 'goal (MB)',
      refMs: 1536,
      unit: 'MB',
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await rows());
