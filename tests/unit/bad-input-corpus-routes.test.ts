/**
 * The bad-input corpus through the user's two other doors: every case POSTed to the web server's open
 * route (started in-process, with our page's same-origin headers), and a seeded sample of at least 200
 * run through the built CLI as real child processes. Each must open, or be refused with one line
 * (a 4xx JSON error; exit 1 and one stderr line naming the file), in under 10 s and 1 GB.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_HEADER, type DocumentHeader } from '../../src/host/host-contract';
import { HostServices } from '../../src/services/host-services';
import { documentRoutes } from '../../src/web-server/web-documents';
import { startWebServer } from '../../src/web-server/web-server';
import { corpus, rng, type Case } from './bad-input-corpus-cases';
import { tempDir } from './files-fixtures';
import { sameOrigin } from './web-request';

const CLI = resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'onirique.cjs');
const LIMIT_MS = 10_000;
const LIMIT_KB = 2 ** 20;

// Preloaded into each CLI child: its own peak RSS (KiB on Linux and macOS) written where the test asks,
// since spawn() cannot report a child's memory and /usr/bin/time is not everywhere.
const RSS_HOOK = `process.on('exit', () => { try { require('node:fs').writeFileSync(process.env.ONIRIQUE_RSS_FILE, String(process.resourceUsage().maxRSS)); } catch {} });\n`;

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let cases: Case[] = [];
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('onirique-corpus-routes-'));
  cases = await corpus();
}, 60_000);
afterAll(() => cleanup());

/** True when a refusal text is one line, has no stack frame and names the file. */
function cleanLine(text: string, name: string): boolean {
  return !text.includes('\n') && !/\n\s+at\s|\bat .+:\d+:\d+/.test(text) && text.includes(name);
}

describe('the bad-input corpus through the web server’s open route', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    const services = new HostServices(join(dir, 'ud'));
    await services.init();
    ({ server, url } = await startWebServer({ root: dir, port: 0, routes: [documentRoutes(services)] }));
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('every case answers 200 with a document, or a 4xx with a one-line JSON error naming the file', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    let opened = 0;
    let slowest = 0;
    const rss0 = process.memoryUsage().rss;
    let maxRss = rss0;
    // One at a time: the route queues only a few uploads and answers 503 beyond, which is not what this tests.
    for (const c of cases) {
      const t0 = performance.now();
      const r = await fetch(`${url}api/open?name=${encodeURIComponent(c.name)}`, { method: 'POST', body: new Uint8Array(c.bytes), headers: sameOrigin(url) });
      const body = Buffer.from(await r.arrayBuffer());
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (ms > LIMIT_MS) failures.push(`${c.name}: ${ms.toFixed(0)} ms`);
      if (r.status === 200) {
        const doc = JSON.parse(decodeURIComponent(r.headers.get(DOCUMENT_HEADER) ?? '{}')) as Partial<DocumentHeader>;
        if (doc.name !== c.name || !doc.width || !doc.height || body.length !== doc.width * doc.height * 4) failures.push(`${c.name}: 200 without a whole document`);
        else opened++;
        continue;
      }
      const text = body.toString('utf8');
      const parsed = (() => {
        try {
          return JSON.parse(text) as { ok?: boolean; error?: unknown };
        } catch {
          return null;
        }
      })();
      const error = typeof parsed?.error === 'string' ? parsed.error : '';
      if (r.status < 400 || r.status >= 500 || parsed?.ok !== false || !cleanLine(error, c.name)) failures.push(`${c.name}: ${r.status} ${text.slice(0, 300)}`);
    }
    console.log(
      `open route: ${cases.length} tried, ${opened} opened, ${cases.length - opened - failures.length} refused cleanly; ` +
        `slowest ${slowest.toFixed(0)} ms, RSS growth ${((maxRss - rss0) / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(failures).toEqual([]);
    expect(maxRss - rss0).toBeLessThan(LIMIT_KB * 1024);
  }, 60_000);
});

interface CliResult {
  c: Case;
  code: number | null;
  stderr: string;
  ms: number;
  rssKb: number;
  out: string;
}

/** Runs `onirique filter --kernel identity IN OUT.png` on one case, in its own folder (names repeat). */
async function runCli(c: Case, i: number, hook: string): Promise<CliResult> {
  const sub = join(dir, 'cli', String(i));
  await mkdir(sub, { recursive: true });
  const input = join(sub, c.name);
  const out = join(sub, 'out.png');
  const rssFile = join(sub, 'rss');
  await writeFile(input, c.bytes);
  const t0 = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((ok) => {
    const child = execFile(process.execPath, ['-r', hook, CLI, 'filter', '--kernel', 'identity', input, out], {
      env: { ...process.env, ONIRIQUE_RSS_FILE: rssFile },
      timeout: LIMIT_MS * 2,
      encoding: 'utf8',
    }, (_err, _stdout, err) => ok({ code: child.exitCode, stderr: err }));
  });
  const ms = performance.now() - t0;
  const rssKb = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'));
  return { c, code, stderr, ms, rssKb, out };
}

/** What is wrong with one CLI run, or null when it opened (exit 0, an output) or was refused cleanly. */
async function cliProblem(r: CliResult): Promise<string | null> {
  const head = `${r.c.name} (exit ${r.code}, ${r.ms.toFixed(0)} ms, ${(r.rssKb / 1024).toFixed(0)} MiB)`;
  if (r.ms > LIMIT_MS || !(r.rssKb < LIMIT_KB)) return `${head}: over the time or memory limit`;
  if (r.code === 0) return ((await stat(r.out).catch(() => null))?.size ?? 0) > 0 ? null : `${head}: exit 0 without an output`;
  const line = r.stderr.replace(/\n$/, '');
  if (r.code !== 1 || !cleanLine(line, r.c.name)) return `${head}: ${JSON.stringify(r.stderr.slice(0, 400))}`;
  return existsSync(r.out) ? `${head}: refused but left ${r.out}` : null;
}

describe('the bad-input corpus through the CLI (`onirique filter --kernel identity`)', () => {
  it.skipIf(!existsSync(CLI))('a seeded sample of 200 cases: exit 0 with an output, or exit 1 with one stderr line naming the file', async () => {
    const hook = join(dir, 'rss-hook.cjs');
    await writeFile(hook, RSS_HOOK);
    // A seeded shuffle, so a failing case is the same on every run.
    const random = rng(7);
    const order = cases.map((c, i) => ({ c, i, k: random() })).sort((a, b) => a.k - b.k).slice(0, 200);
    const results: CliResult[] = [];
    let next = 0;
    // Two batches in parallel: the machines this runs on have two cores.
    const worker = async () => {
      while (next < order.length) {
        const { c, i } = order[next++]!;
        results.push(await runCli(c, i, hook));
      }
    };
    await Promise.all([worker(), worker()]);
    const problems = (await Promise.all(results.map(cliProblem))).filter((p): p is string => p !== null);
    const ok = results.filter((r) => r.code === 0).length;
    console.log(
      `CLI: ${results.length} run, ${ok} exit 0, ${results.length - ok} exit 1; slowest ${Math.max(...results.map((r) => r.ms)).toFixed(0)} ms, ` +
        `max RSS ${(Math.max(...results.map((r) => r.rssKb)) / 1024).toFixed(0)} MiB`,
    );
    expect(results.length).toBe(200);
    expect(problems).toEqual([]);
  }, 300_000);
});
