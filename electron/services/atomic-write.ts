/** Atomic file writes: a temp file beside the target, fsync, then rename over it. */
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files are named `.<target>.<random>.tmp` beside the target; exported for clean-up checks. */
export const TEMP_FILE_PATTERN = /^\..+\.[0-9a-f]{12}\.tmp$/;

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
  const { path, mode } = await resolveTarget(target);
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
