/**
 * Write faults on real file systems: a 1 MB tmpfs that fills up (ENOSPC) and a tmpfs remounted
 * read-only (EROFS), through the atomic writer and through the built CLI. Mounting needs root and
 * CAP_SYS_ADMIN; where it is refused the tests are skipped with the reason printed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmdirSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileWriteError, TEMP_FILE_PATTERN, writeFileAtomic } from '../../src/services/atomic-write';
import { tempDir } from './files-fixtures';

const CLI = resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'onirique.cjs');

/** Mounts a tmpfs with `options` on a fresh folder; the folder, or why it cannot be done here. */
function mountTmpfs(options: string): { dir: string } | { refused: string } {
  if (process.platform !== 'linux') return { refused: `tmpfs mounts are Linux-only (${process.platform})` };
  const dir = mkdtempSync(join(tmpdir(), 'onirique-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) return { dir };
  rmdirSync(dir);
  return { refused: `mount -t tmpfs refused: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}` };
}

function unmount(dir: string): void {
  spawnSync('umount', [dir]);
  rmdirSync(dir);
}

// Probed once at collection, so a machine without the capability skips instead of failing.
const probe = mountTmpfs('size=64k');
const refused = 'refused' in probe ? probe.refused : null;
if ('dir' in probe) unmount(probe.dir);
if (refused) console.log(`real file-system fault tests skipped: ${refused}`);

const mounts: string[] = [];
/** A tmpfs for one test, unmounted in afterAll. */
function mounted(options: string): string {
  const m = mountTmpfs(options);
  if ('refused' in m) throw new Error(m.refused);
  mounts.push(m.dir);
  return m.dir;
}
afterAll(() => mounts.forEach(unmount));

const OLD = Buffer.from('the previous export, which must survive');
const temps = async (dir: string) => (await readdir(dir)).filter((f) => TEMP_FILE_PATTERN.test(f));

/** Asserts that a write to `target` failed with `code`, one line naming the file, and left the old bytes, no temp file. */
async function expectKept(err: unknown, target: string, code: string, reason: string): Promise<void> {
  expect(err).toBeInstanceOf(FileWriteError);
  const e = err as FileWriteError;
  expect(e.code).toBe(code);
  expect(e.message).toBe(`Could not write “${target}”: ${reason}; nothing was changed.`);
  expect(await readFile(target)).toEqual(OLD);
  expect(await temps(resolve(target, '..'))).toEqual([]);
}

describe.skipIf(refused !== null)('real file-system faults through the atomic writer', () => {
  it('ENOSPC: a 2 MB export onto a full 1 MB tmpfs keeps the previous file and leaves no temp file', async () => {
    const dir = mounted('size=1m');
    const target = join(dir, 'export.png');
    await writeFile(target, OLD);
    const err = await writeFileAtomic(target, new Uint8Array(2 * 2 ** 20).fill(7)).catch((e: unknown) => e);
    await expectKept(err, target, 'ENOSPC', 'the disk is full');
    // The space the failed write took is free again: a small write still goes through.
    expect(await writeFileAtomic(target, Buffer.from('small'))).toBe(5);
  });

  it('ENOSPC from a stream of chunks (how exports are encoded) is the same', async () => {
    const dir = mounted('size=1m');
    const target = join(dir, 'streamed.png');
    await writeFile(target, OLD);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 32; i++) yield new Uint8Array(64 * 1024).fill(i);
    }
    await expectKept(await writeFileAtomic(target, chunks()).catch((e: unknown) => e), target, 'ENOSPC', 'the disk is full');
  });

  it('EROFS: a tmpfs remounted read-only keeps the previous file', async () => {
    const dir = mounted('size=1m');
    const target = join(dir, 'export.png');
    await writeFile(target, OLD);
    expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
    await expectKept(await writeFileAtomic(target, Buffer.from('new bytes')).catch((e: unknown) => e), target, 'EROFS', 'the disk is read-only');
  });
});

describe.skipIf(refused !== null || !existsSync(CLI))('real file-system faults through the CLI', () => {
  let src = '';
  let cleanup: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const t = await tempDir('onirique-fs-cli-');
    cleanup = t.cleanup;
    src = join(t.dir, 'noise.png');
    // Random pixels do not compress: the RGB PNG export is about 6 MB, far more than the 1 MB disk holds.
    const noise = randomBytes(2048 * 1024 * 3);
    await sharp(noise, { raw: { width: 2048, height: 1024, channels: 3 } }).png({ compressionLevel: 1 }).toFile(src);
  });
  afterAll(() => cleanup());

  const filter = (out: string) =>
    new Promise<{ code: number | null; stderr: string }>((ok) => {
      const child = execFile(process.execPath, [CLI, 'filter', '--kernel', 'identity', '--channels', 'rgb', src, out], { encoding: 'utf8', timeout: 60_000 }, (_e, _o, stderr) =>
        ok({ code: child.exitCode, stderr }),
      );
    });

  // A read-only disk is caught by the CLI's check of OUT's folder before any compute, hence its words.
  it.each([
    ['ENOSPC', 'size=1m', 'the disk is full; nothing was changed.'],
    ['EROFS', 'size=1m,ro', 'is not writable'],
  ])('%s: `onirique filter` exits 1 with one line naming OUT, which keeps its old bytes', async (_code, options, reason) => {
    const dir = mounted('size=1m');
    const out = join(dir, 'out.png');
    await writeFile(out, OLD);
    if (options.endsWith(',ro')) expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
    const r = await filter(out);
    expect(r.code).toBe(1);
    expect(r.stderr.replace(/\n$/, '').split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(out);
    expect(r.stderr).toContain(reason);
    expect(await readFile(out)).toEqual(OLD);
    expect(await temps(dir)).toEqual([]);
  }, 60_000);
});
