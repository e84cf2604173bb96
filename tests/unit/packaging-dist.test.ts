/**
 * `electron-builder --linux dir` offline, against a stand-in Electron dist (structure only; the stand-in
 * cannot run): scripts/check-dist-structure.mjs packs a minimal app, and this repository when it is built.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './files-fixtures';

const run = promisify(execFile);

interface Report {
  ok: boolean;
  errors: string[];
  asarFiles: number;
  fuseWire: string;
  sharpAddon?: string;
}

async function check(...args: string[]): Promise<Report> {
  const r = await run(process.execPath, [join(repoRoot, 'scripts', 'check-dist-structure.mjs'), '--json', ...args], { cwd: repoRoot, timeout: 280_000 }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '{"ok":false,"errors":["no output"]}' }),
  );
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Report;
}

describe('electron-builder --linux dir with a stand-in Electron', () => {
  it('packs a minimal app: asar with dist/**, no sources, fuses flipped by afterPack', async () => {
    const r = await check();
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.asarFiles).toBe(7);
    expect(r.fuseWire).toBe('010011001');
  }, 300_000);

  const built = existsSync(join(repoRoot, 'dist', 'electron', 'main.cjs')) && existsSync(join(repoRoot, 'dist', 'renderer', 'index.html'));
  if (!built) console.warn('packaging-dist: dist/ is not built (npm run build), the whole-repository pack is skipped');
  it.skipIf(!built)('packs this repository: sharp unpacked from the asar, tfjs left out', async () => {
    const r = await check('--real');
    expect(r.errors).toEqual([]);
    expect(r.sharpAddon).toMatch(/\.node$/);
  }, 300_000);
});
