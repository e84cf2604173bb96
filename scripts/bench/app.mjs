// App rows (issue 5): time to first pixels (the preview on the canvas) and to full resolution after
// opening the 16 MP dandelions photo in the built editor (browser host, Debian Chromium), memory
// after opening and after 20 undoable operations on it; the same services' decode times over HTTP.
// References in the same run: a bare page that decodes and draws the same JPEG, and the goals.
// Chromium runs on a fresh persistent profile, as a user's browser or Electron's session does (an
// incognito context would keep the on-disk history spill in the browser process's memory).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Launches Chromium on a fresh profile and finds its browser process, so its tree can be measured. */
async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'onirique-bench-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args, viewport: { width: 1280, height: 800 } });
  const pid = Number(
    readdirSync('/proc').find((d) => {
      try {
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        return cmd.includes(profile) && !cmd.includes('--type=');
      } catch {
        return false;
      }
    }),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  return { page, pid, close: async () => (await context.close(), rmSync(profile, { recursive: true, force: true })) };
}

/** Records, in the page, when the canvas first shows each kind of pixels (after the frame is produced). */
function watchCanvas() {
  const c = document.querySelector('[data-testid=view-canvas]');
  window.__drawn = {};
  new MutationObserver(() => {
    const kind = c.dataset.drawn;
    if (kind && !window.__drawn[kind]) requestAnimationFrame(() => (window.__drawn[kind] ??= Date.now()));
  }).observe(c, { attributes: true, attributeFilter: ['data-drawn'] });
}

async function measureApp(url) {
  const { page, pid, close } = await launch();
  await page.goto(url);
  await page.waitForSelector('text=tfjs: wasm', { timeout: 120000 });
  await page.evaluate(watchCanvas);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=open]')]);
  const t0 = Date.now();
  await chooser.setFiles(photo);
  await page.waitForFunction(() => window.__drawn.document && window.__onirique?.doc?.image.width === 5312, null, { timeout: 120000 });
  const drawn = await page.evaluate(() => window.__drawn);
  const firstPixels = Math.min(drawn.preview ?? Infinity, drawn.document) - t0;
  const fullPixels = drawn.document - t0;
  const openMB = pid ? treeRssMB(pid) : NaN;
  for (let i = 0; i < 20; i++) {
    await page.click('[data-testid=apply-filter]');
    await page.waitForFunction((n) => window.__onirique?.revision >= n, i + 1, { timeout: 300000 });
  }
  const historyMB = await page.evaluate(() => window.__onirique.history.bytes / 2 ** 20);
  const residentMB = await page.evaluate(() => window.__onirique.history.residentBytes / 2 ** 20);
  const afterMB = pid ? treeRssMB(pid) : NaN;
  await close();
  return { firstPixels, fullPixels, openMB, afterMB, historyMB, residentMB };
}

/** The services path alone (what Electron's main process runs): preview and full decode over the web server's API. */
async function measureServices(url) {
  const bytes = readFileSync(photo);
  const t = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await fetch(`${url}api/open?name=d.jpg`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    const doc = JSON.parse(decodeURIComponent(r.headers.get('x-onirique-document')));
    await r.arrayBuffer();
    const t1 = performance.now();
    await (await fetch(`${url}api/documents/${doc.docId}/full`)).arrayBuffer();
    t.push([t1 - t0, performance.now() - t1]);
  }
  const median = (k) => t.map((x) => x[k]).sort((a, b) => a - b)[1];
  return { previewMs: median(0), fullMs: median(1) };
}

async function measureBare() {
  const { page, pid, close } = await launch();
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
  const services = await withServer(measureServices);
  return [
    { name: 'open 16 MP JPEG: time to first pixels (preview)', engine: 'Onirique (browser host)', ms: app.firstPixels, refName: 'goal', refMs: 1000 },
    { name: 'open 16 MP JPEG: full resolution on screen', engine: 'Onirique (browser host)', ms: app.fullPixels, refName: 'bare page decode+draw', refMs: bare.ms },
    { name: 'services: 16 MP JPEG preview (HTTP, as Electron main decodes)', engine: 'sharp shrink-on-load', ms: Math.round(services.previewMs), refName: 'full decode', refMs: Math.round(services.fullMs) },
    { name: 'memory after opening it (browser PSS, MB)', engine: 'Onirique (browser host)', ms: Math.round(app.openMB), refName: 'bare page (MB)', refMs: Math.round(bare.mb), unit: 'MB' },
    {
      name: `memory after 20 undoable filters (MB; history ${Math.round(app.historyMB)} MB, ${Math.round(app.residentMB)} in memory)`,
      engine: 'Onirique (browser host)',
      ms: Math.round(app.afterMB),
      refName: 'goal (MB)',
      refMs: 1536,
      unit: 'MB',
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await rows());
