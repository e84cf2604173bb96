// Offline packaging check: runs `electron-builder --linux dir` with the real config against a stand-in
// Electron dist (a placeholder `electron` file carrying a fuse wire) and a minimal app, then checks the
// output: renamed executable, app.asar holding dist/** but no sources or maps, fuses flipped by afterPack.
// Structure only: the stand-in cannot run. Usage: node scripts/check-dist-structure.mjs [--json] [--keep] [--real]
// --real packs this repository itself (needs `npm run build` first) with its production node_modules,
// and also checks that sharp's native parts are unpacked from the asar and tfjs is left out.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const json = process.argv.includes('--json');
const keep = process.argv.includes('--keep');
const real = process.argv.includes('--real');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Fuse states: '0' disabled, '1' enabled. A stock Electron 41 wire, for the 9 V1 fuses.
const STOCK_WIRE = '101110001';

async function standInDist(dir) {
  await mkdir(join(dir, 'resources'), { recursive: true });
  const exe = Buffer.concat([Buffer.from('#!/bin/sh\necho "stand-in Electron for structure checks"\nexit 0\n'), Buffer.alloc(64), Buffer.from(SENTINEL), Buffer.from([1, STOCK_WIRE.length]), Buffer.from(STOCK_WIRE)]);
  await writeFile(join(dir, 'electron'), exe);
  await chmod(join(dir, 'electron'), 0o755);
  await writeFile(join(dir, 'LICENSE'), 'stand-in');
  await writeFile(join(dir, 'version'), require('electron/package.json').version);
}

async function minimalProject(dir) {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  // No dependencies: native modules and tfjs are not part of this structure check.
  const slim = { name: pkg.name, productName: pkg.productName, version: pkg.version, description: pkg.description, license: pkg.license, author: pkg.author, main: pkg.main };
  await writeFile(join(dir, 'package.json'), JSON.stringify(slim, null, 2));
  for (const f of ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html']) {
    await mkdir(dirname(join(dir, f)), { recursive: true });
    await writeFile(join(dir, f), `// stand-in ${f}\n`);
  }
  await writeFile(join(dir, 'dist/electron/main.cjs.map'), '{}');
  await mkdir(join(dir, 'dist/cli'), { recursive: true });
  await writeFile(join(dir, 'dist/cli/onirique.cjs'), '// cli\n');
  // Sources that must not be packaged.
  for (const f of ['src/electron/main.ts', 'src/app/App.svelte', 'tests/unit/x.test.ts', 'scripts/bench.mjs']) {
    await mkdir(dirname(join(dir, f)), { recursive: true });
    await writeFile(join(dir, f), '// source\n');
  }
  await cp(join(root, 'build'), join(dir, 'build'), { recursive: true });
  await cp(join(root, 'electron-builder.config.cjs'), join(dir, 'electron-builder.config.cjs'));
  await mkdir(join(dir, 'scripts'), { recursive: true });
  await cp(join(root, 'scripts', 'after-pack.cjs'), join(dir, 'scripts', 'after-pack.cjs'));
  // The afterPack hook imports @electron/fuses (ESM ignores NODE_PATH): link this repository's copy.
  await mkdir(join(dir, 'node_modules', '@electron'), { recursive: true });
  await symlink(join(root, 'node_modules', '@electron', 'fuses'), join(dir, 'node_modules', '@electron', 'fuses'), 'junction');
}

async function fuseWire(file) {
  const b = await readFile(file);
  const at = b.indexOf(SENTINEL);
  if (at < 0) return null;
  const len = b[at + SENTINEL.length + 1];
  return b.subarray(at + SENTINEL.length + 2, at + SENTINEL.length + 2 + len).toString('latin1');
}

const work = await mkdtemp(join(tmpdir(), 'onirique-dist-check-'));
const report = { ok: false, work, errors: [] };
try {
  const dist = join(work, 'electron-dist');
  await standInDist(dist);
  let project = root;
  const output = join(work, 'release');
  if (!real) {
    project = join(work, 'project');
    await mkdir(project);
    await minimalProject(project);
  } else if (!(await stat(join(root, 'dist', 'electron', 'main.cjs')).catch(() => null))) {
    throw new Error('--real needs the built app: run `npm run build` first.');
  }
  const cli = require.resolve('electron-builder/cli.js');
  const t0 = Date.now();
  const args = [cli, '--linux', 'dir', '--x64', '--publish', 'never', '--config', 'electron-builder.config.cjs'];
  args.push(`-c.electronVersion=${require('electron/package.json').version}`, `-c.directories.output=${output}`);
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
    cwd: project,
    env: { ...process.env, ONIRIQUE_ELECTRON_DIST: dist, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 240_000,
  });
  report.ms = Date.now() - t0;
  report.log = (stdout + stderr).trim().split('\n').slice(-20);
  const out = join(output, 'linux-unpacked');
  const exe = join(out, 'onirique');
  report.executable = (await stat(exe)).isFile();
  const asar = require('@electron/asar');
  const files = asar.listPackage(join(out, 'resources', 'app.asar'), {}).map((f) => f.replace(/\\/g, '/'));
  report.asarFiles = files.length;
  for (const f of ['/package.json', '/dist/electron/main.cjs', '/dist/electron/preload.cjs', '/dist/renderer/index.html']) {
    if (!files.includes(f)) report.errors.push(`app.asar lacks ${f}`);
  }
  for (const f of files) {
    if (/^\/(electron|renderer|tests|scripts|build|assets)\//.test(f) || f.endsWith('.map') || /^\/dist\/(cli|web)\//.test(f) || f.includes('/@tensorflow/')) {
      report.errors.push(`app.asar should not contain ${f}`);
    }
  }
  if (real) {
    const lib = join(out, 'resources', 'app.asar.unpacked', 'node_modules', '@img', `sharp-${process.platform}-${process.arch}`, 'lib');
    const addons = (await readdir(lib).catch(() => [])).filter((f) => f.endsWith('.node'));
    if (addons.length === 0) report.errors.push(`sharp's native addon is not unpacked in ${lib}`);
    report.sharpAddon = addons[0];
    if (!files.includes('/node_modules/sharp/package.json')) report.errors.push('app.asar lacks sharp');
  }
  const afterPack = require(join(root, 'scripts', 'after-pack.cjs'));
  const { FuseV1Options } = await import('@electron/fuses');
  const wire = await fuseWire(exe);
  report.fuseWire = wire;
  for (const [name, value] of Object.entries(afterPack.FUSES)) {
    const got = wire?.[FuseV1Options[name]];
    if (got !== (value ? '1' : '0')) report.errors.push(`fuse ${name} is ${got}, expected ${value ? 1 : 0}`);
  }
  report.ok = report.errors.length === 0;
} catch (e) {
  report.errors.push(String(e?.stderr || e?.message || e).slice(-3000));
} finally {
  if (!keep) await rm(work, { recursive: true, force: true });
}
if (json) console.log(JSON.stringify(report));
else {
  console.log(report.ok ? `dist structure OK (${report.ms} ms): ${report.asarFiles} entries in app.asar, fuse wire ${report.fuseWire}` : `dist structure check FAILED:\n${report.errors.join('\n')}`);
}
process.exitCode = report.ok ? 0 : 1;
