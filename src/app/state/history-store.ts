/**
 * History spill store in the origin private file system (OPFS): Chromium and Electron's secure
 * app:// origin have it. Each window keeps its records in its own folder, held by a Web Lock, so a
 * later session can delete the folders whose window is gone (closed or crashed) without touching a
 * live one.
 */
import type { SpillStore } from './history';

const ROOT = 'onirique-history';
/** Scratch for batching writes; history writes one record at a time (its queue), so one buffer serves all. */
const STAGING = new Uint8Array(4 * 2 ** 20);

/** Opens this window's store; null where OPFS or Web Locks are missing (history then stays in memory). */
export async function openOpfsStore(): Promise<SpillStore | null> {
  if (!navigator.storage?.getDirectory || !navigator.locks) return null;
  try {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
    const name = crypto.randomUUID();
    // Held until the window goes away; never released on purpose.
    await new Promise<void>((held) => void navigator.locks.request(`${ROOT}/${name}`, () => (held(), new Promise<never>(() => undefined))));
    const dir = await root.getDirectoryHandle(name, { create: true });
    void removeAbandoned(root, name);
    return {
      async write(key, chunks) {
        const w = await (await dir.getFileHandle(key, { create: true })).createWritable();
        try {
          // Tiles are 64 KiB each: batching them through one scratch buffer saves a round trip per tile.
          let n = 0;
          for (const c of chunks) {
            if (n + c.byteLength > STAGING.byteLength && n > 0) {
              await w.write(STAGING.subarray(0, n));
              n = 0;
            }
            if (c.byteLength > STAGING.byteLength) await w.write(c as Uint8Array<ArrayBuffer>);
            else {
              STAGING.set(c, n);
              n += c.byteLength;
            }
          }
          if (n > 0) await w.write(STAGING.subarray(0, n));
          await w.close();
        } catch (e) {
          await w.abort().catch(() => undefined);
          throw e;
        }
      },
      async read(key) {
        return new Uint8Array(await (await (await dir.getFileHandle(key)).getFile()).arrayBuffer());
      },
      remove: (key) => dir.removeEntry(key),
    };
  } catch {
    return null;
  }
}

/** Deletes the folders of windows that no longer hold their lock. */
async function removeAbandoned(root: FileSystemDirectoryHandle, own: string): Promise<void> {
  const held = new Set(((await navigator.locks.query()).held ?? []).map((l) => l.name));
  const names: string[] = [];
  for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  for (const name of names) if (name !== own && !held.has(`${ROOT}/${name}`)) await root.removeEntry(name, { recursive: true }).catch(() => undefined);
}
