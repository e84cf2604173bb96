/** The electron-builder configuration, checked offline: schema, identity, contents, targets, associations, icons. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ASSOCIATED_EXTENSIONS } from '../../src/services/file-associations';
import { repoRoot } from './files-fixtures';
import { loadAfterPack, loadBuilderConfig, requireFromRoot } from './packaging-fixtures';

const config = loadBuilderConfig();

/** Minimal glob → RegExp for electron-builder file patterns (**, *, {a,b}). */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') re += '(';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether electron-builder's `files` list (last matching pattern wins) packs a path. */
function packs(path: string): boolean {
  let included = false;
  for (const p of config.files) {
    const negate = p.startsWith('!');
    if (globToRegExp(negate ? p.slice(1) : p).test(path)) included = !negate;
  }
  return included;
}

describe('electron-builder configuration', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const { getConfig, validateConfiguration } = requireFromRoot('app-builder-lib/out/util/config/config') as {
      getConfig(dir: string, file: string, extra: null): Promise<unknown>;
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = requireFromRoot('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const loaded = await getConfig(repoRoot, 'electron-builder.config.cjs', null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    // The validator is real: an unknown key is refused.
    await expect(validateConfiguration({ ...(loaded as object), linux: { bogusKey: 1 } }, new DebugLogger(false))).rejects.toThrow(/configuration/i);
  });

  it('has the app identity', () => {
    expect(config.appId).toBe('app.onirique.editor');
    expect(config.productName).toBe('Onirique');
    expect(config.linux.executableName).toBe('onirique');
  });

  it('packs the built app only: dist/** and package.json, no sources, maps, CLI, dev server or tfjs', () => {
    expect(config.files).toContain('dist/**/*');
    for (const p of ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/tfjs-wasm/tfjs-backend-wasm-simd.wasm', 'package.json']) {
      expect(packs(p), p).toBe(true);
    }
    for (const p of ['src/electron/main.ts', 'src/app/App.svelte', 'tests/unit/x.test.ts', 'scripts/make-icons.mjs', 'assets/icon.svg', 'dist/electron/main.cjs.map', 'dist/cli/onirique.cjs', 'dist/web/server.cjs', 'node_modules/@tensorflow/tfjs/dist/tf.js']) {
      expect(packs(p), p).toBe(false);
    }
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/sharp/**/*', 'node_modules/@img/**/*']));
    expect(config.npmRebuild).toBe(false);
  });

  it('main’s bundle requires only electron, sharp and Node at run time (tfjs is inlined), so leaving @tensorflow out of the package is safe', () => {
    const main = join(repoRoot, 'dist', 'electron', 'main.cjs');
    if (!existsSync(main)) execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-node.mjs')], { cwd: repoRoot });
    const required = new Set([...readFileSync(main, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    // `encoding` is node-fetch's optional converter, required inside a try (absent is fine).
    const packaged = [...required].filter((r) => !builtinModules.includes(r.replace(/^node:/, '')) && !['electron', 'sharp', 'encoding'].includes(r));
    expect(packaged).toEqual([]);
    expect(required.has('sharp')).toBe(true);
  });

  it('targets Linux AppImage + deb, Windows NSIS, macOS dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('associates every image type the app opens', () => {
    const exts = config.fileAssociations.flatMap((a) => a.ext);
    expect(exts.sort()).toEqual([...ASSOCIATED_EXTENSIONS].sort());
    for (const a of config.fileAssociations) {
      expect(a.mimeType).toMatch(/^image\//);
      expect(a.role).toBe('Editor');
      expect(a.name.length).toBeGreaterThan(0);
    }
  });

  it('runs an afterPack hook that exists and is a function', async () => {
    expect((await stat(config.afterPack)).isFile()).toBe(true);
    expect(relative(repoRoot, config.afterPack)).toBe(join('scripts', 'after-pack.cjs'));
    expect(typeof loadAfterPack()).toBe('function');
  });

  it('points at icons that exist with the right sizes', async () => {
    expect(config.directories.buildResources).toBe('build');
    const png = await sharp(join(repoRoot, 'build', 'icon.png')).metadata();
    expect([png.width, png.height, png.channels]).toEqual([512, 512, 4]);
    const linux = await readdir(join(repoRoot, config.linux.icon));
    expect(linux).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '256x256.png', '512x512.png']));
    expect((await stat(join(repoRoot, config.win.icon))).size).toBeGreaterThan(1000);
    expect((await stat(join(repoRoot, config.mac.icon))).size).toBeGreaterThan(1000);
  });

  it('npm run dist uses this configuration', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; build?: unknown };
    expect(pkg.scripts.dist).toContain('--config electron-builder.config.cjs');
    expect(pkg.build).toBeUndefined();
  });
});
