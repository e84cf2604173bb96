/** Atomic file writes: a temp file beside the target, fsync, then rename over it. */
import { randomBytes } from 'node:crypto';
import { open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeWriteError } from './write-errors';

export { FileWriteError } from './write-errors';

/** Temp files are named `.<target>.<random>.tmp` beside the target; exported for clean-up checks. */
export const TEMP_FILE_PATTERN = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** A temp file older than this was left by a killed process (a write takes seconds), so it may be removed. */
export const STALE_TEMP_AGE_MS = 10 * 60_000;

/** The exact temp-name pattern of one target file name: `.<name>.<12 hex>.tmp`. */
export function tempPatternFor(name: string): RegExp {
  return new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{12}\\.tmp$`);
}

/** Removes files of `dir` matching `pattern` whose last change is older than `maxAgeMs`; returns their paths. */
async function removeStale(dir: string, pattern: RegExp, maxAgeMs: number): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  const now = Date.now();
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    // A young temp file may belong to a write in progress in another process.
    if (!st?.isFile() || now - st.mtimeMs < maxAgeMs) continue;
    if (await unlink(path).then(() => true, () => false)) removed.push(path);
  }
  return removed;
}

/**
 * Removes temp files a killed writer left in `dir` and its sub-folders (to `depth` levels), matching
 * the writer's temp-name pattern and older than `maxAgeMs`. Meant for the user-data folder at start.
 */
export async function sweepStaleTempFiles(dir: string, { maxAgeMs = STALE_TEMP_AGE_MS, depth = 3 } = {}): Promise<string[]> {
  const removed = await removeStale(dir, TEMP_FILE_PATTERN, maxAgeMs);
  if (depth <= 0) return removed;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isDirectory() && !e.isSymbolicLink()) removed.push(...(await sweepStaleTempFiles(join(dir, e.name), { maxAgeMs, depth: depth - 1 })));
  }
  return removed;
}

async function resolveTarget(target: string): Promise<{ path: string; mode: number }> {
  try {
    // Writing through a symlink replaces the file it points to, not the link.
    const path = await realpath(target);
    return { path, mode: (await stat(path)).mode & 0o777 };
  } catch {
    return { path: target, mode: 0o644 };
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // Windows refuses a rename over a file another process (antivirus, indexer) holds for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 5 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw e;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const h = await open(dir, 'r').catch(() => null);
  await h?.sync().catch(() => undefined);
  await h?.close();
}

/**
 * Writes bytes (or a stream of chunks) to `target` so readers see the old file or the whole new one.
 * On any failure, including a throwing stream, the temp file is removed and the target left as it was.
 */
export async function writeFileAtomic(target: string, content: Uint8Array | AsyncIterable<Uint8Array>): Promise<number> {
  try {
    return await writeThroughTemp(target, content);
  } catch (e) {
    throw describeWriteError(e, target);
  }
}

/** Throws EISDIR before any byte is written when the target is a folder (rename would say so only at the end). */
async function refuseFolder(path: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (st?.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' });
}

async function writeThroughTemp(target: string, content: Uint8Array | AsyncIterable<Uint8Array>): Promise<number> {
  const { path, mode } = await resolveTarget(target);
  await refuseFolder(path);
  await removeStale(dirname(path), tempPatternFor(basename(path)), STALE_TEMP_AGE_MS);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  let written = 0;
  try {
    if (content instanceof Uint8Array) {
      await handle.writeFile(content);
      written = content.byteLength;
    } else {
      for await (const chunk of content) {
        await handle.write(chunk);
        written += chunk.byteLength;
      }
    }
    await handle.sync();
    await handle.close();
    await renameWithRetry(tmp, path);
    await syncDir(dirname(path));
    return written;
  } catch (e) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** True when two paths name the same existing file (symlinks and `..` resolved); false if either is missing. */
export async function isSameFile(a: string, b: string): Promise<boolean> {
  try {
    const [ra, rb] = await Promise.all([realpath(a), realpath(b)]);
    if (ra === rb) return true;
    // Case-insensitive file systems (macOS, Windows) and hard links: compare device and inode.
    const [sa, sb] = await Promise.all([stat(ra), stat(rb)]);
    return sa.dev === sb.dev && sa.ino === sb.ino && sa.ino !== 0;
  } catch {
    return false;
  }
}
