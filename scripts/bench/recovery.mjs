// Recovery + history rows (architecture issue, item 7): the work from Apply (or Undo) to idle on the
// 16 MP dandelions photo for a dream-stroke-sized change (512x512, off the tile grid), and the pixel
// bytes that go to main for it. Ours: the stroke's diff limited to its rectangle, then one debounced
// snapshot of the changed tiles (the debounce wait itself is not counted, only the work). Reference:
// the code before the change (commit ab014a4, read with git show): a diff of the whole photo, then a
// whole-image PNG snapshot per edit. Both run in this Node process on the real modules; the IPC hop
// is a structuredClone of what would be sent (Electron serialises the same way).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PHOTO = resolve(root, '..', 'shared', 'photos', 'dandelions_5312x2988.jpg');
const BEFORE = 'ab014a4';
const REPS = 3;
const SIDE = 512;

async function bundle(name, contents, resolveDir) {
  const outfile = join(root, 'dist', 'bench', `${name}.mjs`);
  await build({ stdin: { contents, resolveDir, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  return import(pathToFileURL(outfile).href + `?t=${Date.now()}`);
}

async function engines() {
  const ours = await bundle(
    'recovery-engine',
    "export { History, pixelEntry } from './src/app/state/history';\nexport { RecoverySnapshots } from './src/app/state/recovery-sync';\nexport { RecoveryStore, parseRecoveryTiles } from './src/services/recovery';",
    root,
  );
  const old = (path) => execFileSync('git', ['show', `${BEFORE}:${path}`], { cwd: root, encoding: 'utf8' });
  // The old files compile beside the current folders, so their relative imports (atomic-write, json-store) resolve.
  const oldHistory = await bundle('recovery-before-history', old('src/app/state/history.ts'), join(root, 'src', 'app', 'state'));
  const oldRecovery = await bundle('recovery-before-store', old('src/services/recovery.ts'), join(root, 'src', 'services'));
  return { ours, oldHistory, oldRecovery };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The photo with a SIDE x SIDE square repainted at a spot that moves with k (off the 128 px grid). */
function stroke(img, k) {
  const rect = { x: 900 + 301 * k, y: 700 + 173 * k, w: SIDE, h: SIDE };
  const data = img.data.slice();
  for (let y = rect.y; y < rect.y + rect.h; y++) for (let i = (y * img.width + rect.x) * 4; i < (y * img.width + rect.x + rect.w) * 4; i++) data[i] = (data[i] * 3 + k) & 255;
  return { after: { width: img.width, height: img.height, data }, rect };
}

/** The editor's path before: whole diff, then a whole-image snapshot per commit and per undo. */
async function before({ oldHistory, oldRecovery }, photo, dir) {
  const store = new oldRecovery.RecoveryStore(dir);
  const history = new oldHistory.History();
  const doc = { image: photo };
  const snapshot = () => store.save(structuredClone(doc.image), { name: 'dandelions.jpg', operations: history.labels });
  const apply = [];
  const undo = [];
  for (let k = 0; k < REPS; k++) {
    const { after } = stroke(doc.image, k);
    let t = performance.now();
    history.push(oldHistory.pixelEntry('Dream', doc.image, after));
    doc.image = after;
    await snapshot();
    apply.push(performance.now() - t);
    t = performance.now();
    await history.undo(doc);
    await snapshot();
    undo.push(performance.now() - t);
    await history.redo(doc);
  }
  return { apply: median(apply), undo: median(undo), bytes: photo.data.byteLength };
}

/** The editor's path now: the stroke's rectangle diffed, one snapshot of the changed tiles (flushed at once). */
async function after({ ours }, photo, dir) {
  const store = new ours.RecoveryStore(dir);
  const host = {
    saveRecovery: (image, info) => store.save(structuredClone(image), info),
    saveRecoveryTiles: (update, info) => store.saveTiles(ours.parseRecoveryTiles(structuredClone(update)), info),
    clearRecovery: () => store.clear(),
  };
  const snapshots = new ours.RecoverySnapshots(host);
  const history = new ours.History();
  history.onApply = (e) => snapshots.touch(e.changed);
  const doc = { image: photo };
  const snapshot = () => {
    snapshots.schedule(() => ({ image: doc.image, info: { name: 'dandelions.jpg', operations: history.labels } }));
    return snapshots.flush();
  };
  // The document's first snapshot sends the whole image once; the edits measured come after it.
  const first = stroke(photo, 10);
  history.push(ours.pixelEntry('Dream', doc.image, first.after, first.rect));
  doc.image = first.after;
  await snapshot();
  const apply = [];
  const undo = [];
  const bytes = [];
  for (let k = 0; k < REPS; k++) {
    const { after, rect } = stroke(doc.image, k);
    const sent = snapshots.sentBytes;
    let t = performance.now();
    history.push(ours.pixelEntry('Dream', doc.image, after, rect));
    doc.image = after;
    await snapshot();
    apply.push(performance.now() - t);
    bytes.push(snapshots.sentBytes - sent);
    t = performance.now();
    await history.undo(doc);
    await snapshot();
    undo.push(performance.now() - t);
    await history.redo(doc);
    await snapshot();
  }
  return { apply: median(apply), undo: median(undo), bytes: median(bytes) };
}

/** Benchmark rows. */
export async function rows() {
  const mods = await engines();
  const { data, info } = await sharp(PHOTO).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const photo = { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  const work = mkdtempSync(join(tmpdir(), 'onirique-bench-recovery-'));
  try {
    const b = await before(mods, photo, join(work, 'before'));
    const a = await after(mods, photo, join(work, 'after'));
    const MB = 2 ** 20;
    const what = `16 MP photo, ${SIDE}x${SIDE} dream stroke`;
    return [
      { name: `${what}: Apply → idle (history + recovery snapshot)`, engine: 'rect diff + tile snapshot', ms: Math.round(a.apply), refName: `before (${BEFORE}): whole diff + PNG`, refMs: Math.round(b.apply) },
      { name: `${what}: Undo → idle (history + recovery snapshot)`, engine: 'rect diff + tile snapshot', ms: Math.round(a.undo), refName: `before (${BEFORE}): whole PNG`, refMs: Math.round(b.undo) },
      { name: `${what}: pixel bytes sent to main per edit (MB)`, engine: 'changed tiles', ms: a.bytes / MB, refName: `before (${BEFORE}): whole image`, refMs: b.bytes / MB, unit: 'MB' },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const x of await rows()) console.log(`${x.name.padEnd(72)} ${x.engine.padEnd(26)} ${x.ms.toFixed(1).padStart(8)} ${x.unit ?? 'ms'}   ${x.refName.padEnd(36)} ${x.refMs.toFixed(1).padStart(8)} ${x.unit ?? 'ms'}`);
}
