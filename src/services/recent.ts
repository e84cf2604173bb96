/** Recent files: paths stay in main; the renderer sees only opaque ids and names. */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { RecentEntry } from '../host/host-contract';
import { readJson, writeJson } from './json-store';

interface StoredRecent {
  path: string;
  openedAt: string;
}

/** Stable opaque id for a path. */
export function recentId(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 16);
}

/** The recent-files list in recent.json, newest first, at most `limit` entries. */
export class RecentStore {
  private file: string;
  constructor(userDataDir: string, private limit = 12) {
    this.file = join(userDataDir, 'recent.json');
  }

  private async load(): Promise<StoredRecent[]> {
    const v = await readJson<unknown>(this.file, []);
    return Array.isArray(v) ? v.filter((e): e is StoredRecent => typeof e?.path === 'string' && typeof e?.openedAt === 'string') : [];
  }

  /** Records that a path was opened. */
  async add(path: string, now = new Date()): Promise<void> {
    const list = (await this.load()).filter((e) => e.path !== path);
    list.unshift({ path, openedAt: now.toISOString() });
    await writeJson(this.file, list.slice(0, this.limit));
  }

  /** Entries for the renderer (no paths). */
  async list(): Promise<RecentEntry[]> {
    return (await this.load()).map((e) => ({ id: recentId(e.path), name: basename(e.path), openedAt: e.openedAt }));
  }

  /** Resolves an id the renderer sent back to the path main stored; null when unknown. */
  async resolve(id: string): Promise<string | null> {
    return (await this.load()).find((e) => recentId(e.path) === id)?.path ?? null;
  }
}
