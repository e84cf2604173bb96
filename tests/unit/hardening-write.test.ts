/** The atomic writer: one-line errors naming the user's file, stale temp files cleaned, a SIGKILL mid-write survived. */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileWriteError, sweepStaleTempFiles, TEMP_FILE_PATTERN, writeFileAtomic } from '../../src/services/atomic-write';
import { repoRoot, tempDir } from './files-fixtures';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('onirique-hardening-write-'));
});
afterAll(() => cleanup());

const temps = async (d: string) => (await readdir(d)).filter((f) => TEMP_FILE_PATTERN.test(f));
const ELEVEN_MINUTES_AGO = () => new Date(Date.now() - 11 * 60_000);

describe('write errors name the user’s file in one line', () => {
  it('a missing parent folder (ENOENT)', async () => {
    const target = join(dir, 'missing', 'out.png');
    const err = await writeFileAtomic(target, new Uint8Array([1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileWriteError);
    expect((err as FileWriteError).code).toBe('ENOENT');
    expect((err as Error).message).toBe(`Could not write “${target}”: the folder “${join(dir, 'missing')}” does not exist; nothing was changed.`);
  });

  it('a target that is a folder (EISDIR), refused before any temp file is made', async () => {
    const target = join(dir, 'a-folder.png');
    await mkdir(target);
    await writeFile(join(target, 'inside.txt'), 'kept');
    const err = await writeFileAtomic(target, new Uint8Array(1 << 20)).catch((e: unknown) => e);
    expect((err as FileWriteError).code).toBe('EISDIR');
    expect((err as Error).message).toBe(`Could not write “${target}”: it is a folder; nothing was changed.`);
    expect(await readFile(join(target, 'inside.txt'), 'utf8')).toBe('kept');
    expect(await temps(dir)).toEqual([]);
  });

  // Root writes anywhere, so the real read-only case runs only as an ordinary user (faults test injects it too).
  it.skipIf(process.getuid?.() === 0)('a read-only folder (EACCES) leaves the previous file', async () => {
    const ro = join(dir, 'ro');
    await mkdir(ro);
    await writeFile(join(ro, 'out.png'), 'previous');
    await chmod(ro, 0o555);
    try {
      const err = await writeFileAtomic(join(ro, 'out.png'), new Uint8Array([1])).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/^Could not write “.*out\.png”: permission denied: the folder “.*ro” is not writable; nothing was changed\.$/);
      expect(await readFile(join(ro, 'out.png'), 'utf8')).toBe('previous');
    } finally {
      await chmod(ro, 0o755);
    }
  });
});

describe('stale temp files', () => {
  it('a write removes old temp files of its own target only, never young ones or other names', async () => {
    const d = join(dir, 'stale');
    await mkdir(d);
    const old = ['.out.png.0123456789ab.tmp', '.out.png.ffffffffffff.tmp'];
    const keep = ['.out.png.fedcba987654.tmp', '.other.png.0123456789ab.tmp', '.out.png.notes.tmp', 'out.png.0123456789ab.tmp', '.out.png.0123456789ab.tmp.bak'];
    for (const f of [...old, ...keep]) await writeFile(join(d, f), 'x');
    // Only the first keep entry is young; the others are old but do not match this target's pattern exactly.
    for (const f of [...old, ...keep.slice(1)]) await utimes(join(d, f), ELEVEN_MINUTES_AGO(), ELEVEN_MINUTES_AGO());
    await writeFileAtomic(join(d, 'out.png'), new Uint8Array([7]));
    expect((await readdir(d)).sort()).toEqual([...keep, 'out.png'].sort());
  });

  it('sweepStaleTempFiles clears old temp files in the user-data folder and its sub-folders', async () => {
    const ud = join(dir, 'user-data');
    await mkdir(join(ud, 'recovery', 'doc-1'), { recursive: true });
    const oldOnes = [join(ud, '.settings.json.0123456789ab.tmp'), join(ud, 'recovery', 'doc-1', '.snapshot.png.00000000abcd.tmp')];
    const young = join(ud, 'recovery', '.recent.json.0123456789ab.tmp');
    const user = join(ud, 'recovery', 'notes.tmp');
    for (const f of [...oldOnes, young, user]) await writeFile(f, 'x');
    for (const f of [...oldOnes, user]) await utimes(f, ELEVEN_MINUTES_AGO(), ELEVEN_MINUTES_AGO());
    expect((await sweepStaleTempFiles(ud)).sort()).toEqual([...oldOnes].sort());
    await expect(stat(young)).resolves.toBeTruthy();
    await expect(stat(user)).resolves.toBeTruthy();
    expect(await sweepStaleTempFiles(join(dir, 'no-such-folder'))).toEqual([]);
  });
});

describe('a writer killed by SIGKILL mid-write', () => {
  let script = '';
  beforeAll(async () => {
    // The child runs the real writer, bundled to plain JS (node 20 does not run TypeScript).
    const bundle = join(dir, 'atomic-write.mjs');
    await build({ entryPoints: [join(repoRoot, 'src/services/atomic-write.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    script = join(dir, 'child.mjs');
    await writeFile(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(bundle)};
async function* chunks() { for (let i = 0; i < 400; i++) { yield new Uint8Array(1 << 20).fill(i & 255); await new Promise((r) => setTimeout(r, 5)); } }
await writeFileAtomic(process.argv[2], chunks());
console.log('finished');`,
    );
  });

  /** Starts a child writing 400 MiB to `target` and kills it once its temp file holds over 8 MiB. */
  async function killMidWrite(target: string): Promise<string> {
    const child = spawn(process.execPath, [script, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
    const d = join(target, '..');
    for (let i = 0; i < 1000; i++) {
      const t = (await temps(d))[0];
      if (t && ((await stat(join(d, t)).catch(() => null))?.size ?? 0) > 8 << 20) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).not.toContain('finished');
    const left = await temps(d);
    expect(left).toHaveLength(1);
    return join(d, left[0]!);
  }

  it('leaves the old file whole; the next write, then the sweep, remove the orphan once it is stale', async () => {
    const d = join(dir, 'killed');
    await mkdir(d);
    const target = join(d, 'export.png');
    const previous = Buffer.from('the previous export, complete');
    await writeFile(target, previous);

    const orphan = await killMidWrite(target);
    expect((await readFile(target)).equals(previous)).toBe(true);
    expect((await stat(orphan)).size).toBeGreaterThan(8 << 20);
    // A young orphan may be another process's write in progress: kept until it is stale.
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    await expect(stat(orphan)).resolves.toBeTruthy();
    await utimes(orphan, ELEVEN_MINUTES_AGO(), ELEVEN_MINUTES_AGO());
    await writeFileAtomic(target, new Uint8Array([4, 5, 6]));
    expect(await temps(d)).toEqual([]);
    expect([...(await readFile(target))]).toEqual([4, 5, 6]);

    const second = await killMidWrite(target);
    expect([...(await readFile(target))]).toEqual([4, 5, 6]);
    await utimes(second, ELEVEN_MINUTES_AGO(), ELEVEN_MINUTES_AGO());
    expect(await sweepStaleTempFiles(d)).toEqual([second]);
    expect(await temps(d)).toEqual([]);
  }, 30_000);
});
