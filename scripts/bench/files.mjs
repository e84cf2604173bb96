// Documents benchmark: time to first pixels (open → upright sRGB RGBA) and memory after opening the
// 16 MP dandelions JPEG, and export times, against Pillow doing the same in the same run.
// `rows()` returns the table rows; run directly to print them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PHOTO = resolve(root, '..', 'shared', 'photos', 'dandelions_5312x2988.jpg');
const PYTHON = '/usr/bin/python3';
const REPS = 3;

async function bundle() {
  const outfile = join(root, 'dist', 'bench', 'files-engine.mjs');
  await build({
    stdin: {
      contents: "export { HostServices } from './src/services/host-services';\nexport { encodeImage } from './src/services/encode';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

// Runs in a fresh Node process so the memory figure is that of an app that just opened the photo.
const CHILD = `
const [, , engine, dir, photo, repsArg] = process.argv;
const { HostServices, encodeImage } = await import(engine);
const reps = Number(repsArg);
const host = new HostServices(dir); await host.init();
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const open = []; let doc;
for (let i = 0; i < reps; i++) { const t = performance.now(); const r = await host.openPath(photo); open.push(performance.now() - t); if (!r.ok) throw new Error(r.error); doc = r.value; }
const rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
const enc = {};
for (const [f, q] of [['jpeg', 90], ['png', 90]]) { const ts = []; for (let i = 0; i < reps; i++) { const t = performance.now(); await encodeImage(doc.image, { format: f, quality: q }); ts.push(performance.now() - t); } enc[f] = median(ts); }
console.log(JSON.stringify({ open: median(open), rssMB, enc }));
`;

const PIL = `
import sys, time, resource
from PIL import Image, ImageOps
photo, reps, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
med = lambda xs: sorted(xs)[len(xs) // 2]
ts = []
for _ in range(reps):
    t = time.perf_counter(); im = ImageOps.exif_transpose(Image.open(photo)).convert('RGBA'); im.load(); ts.append(time.perf_counter() - t)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rgb = im.convert('RGB')
tj = []; tp = []
for _ in range(reps):
    t = time.perf_counter(); rgb.save(out + '.jpg', quality=90); tj.append(time.perf_counter() - t)
    t = time.perf_counter(); im.save(out + '.png', compress_level=6); tp.append(time.perf_counter() - t)
print(f'{med(ts)*1000:.1f} {rss:.0f} {med(tj)*1000:.1f} {med(tp)*1000:.1f}')
`;

/** Benchmark rows. */
export async function rows() {
  const engine = await bundle();
  const work = mkdtempSync(join(tmpdir(), 'onirique-bench-files-'));
  try {
    const childFile = join(work, 'child.mjs');
    writeFileSync(childFile, CHILD);
    const r = JSON.parse(execFileSync(process.execPath, [childFile, pathToFileURL(engine).href, join(work, 'ud'), PHOTO, String(REPS)], { encoding: 'utf8' }));
    const [pilOpen, pilRss, pilJpeg, pilPng] = execFileSync(PYTHON, ['-c', PIL, PHOTO, String(REPS), join(work, 'pil')], { encoding: 'utf8' }).trim().split(' ').map(Number);
    return [
      { name: 'open 5312x2988 JPEG → upright RGBA', engine: 'onirique sharp', ms: Math.round(r.open), refName: 'Pillow open+exif_transpose+RGBA', refMs: Math.round(pilOpen) },
      { name: `memory after opening it (MB RSS, Pillow ${pilRss})`, engine: 'onirique sharp', ms: r.rssMB, refName: 'Pillow peak RSS (MB)', refMs: pilRss, unit: 'MB' },
      { name: 'export 5312x2988 JPEG q90', engine: 'onirique sharp', ms: Math.round(r.enc.jpeg), refName: 'Pillow save JPEG q90', refMs: Math.round(pilJpeg) },
      { name: 'export 5312x2988 PNG', engine: 'onirique sharp', ms: Math.round(r.enc.png), refName: 'Pillow save PNG level 6', refMs: Math.round(pilPng) },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const x of await rows()) console.log(`${x.name.padEnd(48)} ${x.engine.padEnd(16)} ${String(x.ms).padStart(6)} ${x.unit ?? 'ms'}   ${x.refName.padEnd(32)} ${String(x.refMs).padStart(6)} ${x.unit ?? 'ms'}`);
}
