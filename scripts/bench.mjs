// `npm run bench`: runs every scripts/bench/*.mjs `rows()` and prints one table.
// Each row compares an Onirique engine with a reference measured in the same run (ratio = ref / ours:
// above 1 means Onirique is faster; for memory rows, below 1 means Onirique uses more).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = join(import.meta.dirname, 'bench');
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.mjs') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
const all = [];
for (const f of files) {
  process.stderr.write(`bench: ${f}…\n`);
  const started = Date.now();
  try {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    // Helper modules (app-page.mjs: the shared Chromium harness) have no rows of their own.
    if (typeof mod.rows !== 'function') continue;
    const rows = await mod.rows();
    for (const r of rows) all.push({ suite: f.replace(/\.mjs$/, ''), ...r });
  } catch (e) {
    all.push({ suite: f.replace(/\.mjs$/, ''), name: `FAILED: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, engine: '', ms: NaN, refName: '', refMs: NaN });
  }
  process.stderr.write(`bench: ${f} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const fmt = (v, unit) => (v === null || v === undefined || Number.isNaN(v) ? '—' : `${Number(v).toFixed(v < 10 ? 1 : 0)} ${unit}`);
const header = ['suite', 'case', 'engine', 'ours', 'reference', 'ref', 'ratio'];
const lines = all.map((r) => {
  const unit = r.unit ?? 'ms';
  // A suite may give its own ratio (e.g. the median of per-round ratios of alternating rounds).
  const ratio = r.ratio !== undefined ? r.ratio.toFixed(2) + '×' : r.refMs && r.ms ? (r.refMs / r.ms).toFixed(2) + '×' : '—';
  return [r.suite, r.name, r.engine, fmt(r.ms, unit), r.refName ?? '—', fmt(r.refMs, unit), ratio];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
const row = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(row(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const l of lines) console.log(row(l));
