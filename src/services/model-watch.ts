/**
 * Notices when the model cache changes, whoever changed it: this process, another window's, or the
 * CLI on the same user data folder. Models enter and leave the cache by a rename in its root
 * (ModelStore.commit and remove), so a watch on the root sees every change; each event is checked
 * against a fingerprint of the installed models, so noise (partials, temp files) fires nothing.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MARKER_FILE, PARTIAL_PREFIX } from './model-files';

/** Grouping delay: a burst of events (rename, cleanup) becomes one check. */
const SETTLE_MS = 150;
/** Safety net where fs.watch is blind (network drives, some containers). */
const POLL_MS = 10_000;

/** What installed models the cache holds: folder names with their markers' size and time. */
export async function cacheFingerprint(root: string): Promise<string> {
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => !n.startsWith(PARTIAL_PREFIX) && !n.startsWith('.')).sort();
  const parts: string[] = [];
  for (const name of names) {
    const st = await stat(join(root, name, MARKER_FILE)).catch(() => null);
    if (st) parts.push(`${name}:${st.size}:${st.mtimeMs}`);
  }
  return parts.join('|');
}

/** A running watch; `poke` asks for a check now (after this process changed the cache). */
export interface CacheWatch {
  poke(): void;
  close(): void;
}

/** Watches `root` (created if missing) and calls `onChange` once per change of its installed models. */
export async function watchModelCache(root: string, onChange: () => void): Promise<CacheWatch> {
  await mkdir(root, { recursive: true });
  let last = await cacheFingerprint(root);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let checking = Promise.resolve();
  const check = () => {
    checking = checking.then(async () => {
      const now = await cacheFingerprint(root);
      if (closed || now === last) return;
      last = now;
      onChange();
    });
  };
  const poke = () => {
    clearTimeout(timer);
    timer = setTimeout(check, SETTLE_MS);
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(root, { persistent: false }, poke);
    watcher.on('error', () => undefined);
  } catch {
    watcher = null;
  }
  const poll = setInterval(check, POLL_MS);
  poll.unref();
  return {
    poke,
    close: () => {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
    },
  };
}
