/**
 * The browser's crash recovery in the origin private file system (OPFS), as the desktop keeps it on
 * disk (src/services/recovery.ts): a base image plus tile files applied over it, named by a manifest.
 * Every file is written under a fresh name and never rewritten; the manifest is replaced last (its
 * writable commits on close), so a crash or a reload mid-write leaves the old snapshot or the new one.
 * Each tab keeps its snapshot in its own folder, held by a Web Lock: at start a tab adopts the newest
 * folder no live tab holds (the session that was reloaded or crashed) and deletes the other orphans.
 */
import type { RecoveryInfo, RecoveryTilesUpdate, RgbaImage } from './host-contract';
import { applyTiles, boundedInfo, encodeTiles, MANIFEST, needsCompaction, parseManifest, tilesFit, type RecoveryManifest } from './opfs-recovery-format';

const ROOT = 'onirique-recovery';

type Info = Omit<RecoveryInfo, 'savedAt'>;

/** The host methods recovery needs, over OPFS. */
export interface OpfsRecovery {
  save(image: RgbaImage, info: Info): Promise<string | null>;
  saveTiles(update: RecoveryTilesUpdate, info: Info): Promise<string | null>;
  take(): Promise<{ info: RecoveryInfo; image: RgbaImage } | null>;
  clear(): Promise<void>;
}

/** Holds the lock `name` until the returned release is called; null when another tab holds it. */
function tryHold(name: string): Promise<(() => void) | null> {
  return new Promise((ok) => {
    void navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      if (!lock) return ok(null);
      return new Promise<void>((release) => ok(() => release()));
    });
  });
}

async function readText(dir: FileSystemDirectoryHandle, name: string): Promise<string | null> {
  try {
    return await (await (await dir.getFileHandle(name)).getFile()).text();
  } catch {
    return null;
  }
}

async function writeFile(dir: FileSystemDirectoryHandle, name: string, data: Uint8Array<ArrayBuffer> | string): Promise<void> {
  const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
  try {
    await w.write(data);
    // close() commits: until then the file keeps its old contents (none, for a fresh name).
    await w.close();
  } catch (e) {
    await w.abort().catch(() => undefined);
    throw e;
  }
}

async function entryNames(dir: FileSystemDirectoryHandle): Promise<string[]> {
  const names: string[] = [];
  // The DOM typings of this TypeScript lack the async iterator of directory handles.
  for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  return names;
}

/**
 * This tab's folder: the newest orphan with a snapshot (adopted, its lock held from now on), or a new
 * one. Orphans not adopted are deleted under their lock, so two tabs starting together never share one.
 */
async function claimFolder(root: FileSystemDirectoryHandle): Promise<FileSystemDirectoryHandle> {
  const orphans: { name: string; release: () => void; manifest: RecoveryManifest | null }[] = [];
  for (const name of await entryNames(root)) {
    const release = await tryHold(`${ROOT}/${name}`);
    if (!release) continue;
    const dir = await root.getDirectoryHandle(name).catch(() => null);
    orphans.push({ name, release, manifest: dir ? parseManifest(await readText(dir, MANIFEST)) : null });
  }
  const newest = orphans.filter((o) => o.manifest).sort((a, b) => b.manifest!.savedAt.localeCompare(a.manifest!.savedAt))[0];
  for (const o of orphans) {
    if (o === newest) continue;
    await root.removeEntry(o.name, { recursive: true }).catch(() => undefined);
    o.release();
  }
  if (newest) return root.getDirectoryHandle(newest.name);
  const name = crypto.randomUUID();
  // A fresh name: no one else holds it. Held until the tab goes away; never released on purpose.
  await tryHold(`${ROOT}/${name}`);
  return root.getDirectoryHandle(name, { create: true });
}

/** A session's recovery over OPFS; null where OPFS or Web Locks are missing (the host then keeps none). */
export function createOpfsRecovery(): OpfsRecovery | null {
  if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory || !navigator.locks) return null;
  let folder: Promise<FileSystemDirectoryHandle> | null = null;
  const dir = () => (folder ??= navigator.storage.getDirectory().then((r) => r.getDirectoryHandle(ROOT, { create: true })).then(claimFolder));
  let pending: Promise<unknown> = Promise.resolve();
  // Store jobs run one at a time, in call order, so an older snapshot never lands after a newer one.
  const serial = <T>(job: (d: FileSystemDirectoryHandle) => Promise<T>): Promise<T> => {
    const run = pending.then(dir, dir).then(job);
    pending = run.catch(() => undefined);
    return run;
  };
  const manifest = async (d: FileSystemDirectoryHandle) => parseManifest(await readText(d, MANIFEST));

  return {
    save: (image, info) => serial(async (d) => {
      const id = crypto.randomUUID();
      const base = await writeBase(d, image);
      await commit(d, { ...boundedInfo(info), savedAt: new Date().toISOString(), id, width: image.width, height: image.height, base, tiles: [], tileBytes: 0 });
      return id;
    }),
    saveTiles: (update, info) => serial(async (d) => {
      const m = await manifest(d);
      if (!m || m.id !== update.base || m.width !== update.width || m.height !== update.height || !tilesFit(m.width, m.height, update.tiles)) return null;
      const id = crypto.randomUUID();
      const file = `tiles-${id}.bin`;
      await writeFile(d, file, encodeTiles(update.tiles));
      const bytes = update.tiles.reduce((s, t) => s + t.data.byteLength, 0);
      const next: RecoveryManifest = { ...m, ...boundedInfo(info), savedAt: new Date().toISOString(), id, tiles: [...m.tiles, file], tileBytes: m.tileBytes + bytes };
      await commit(d, next);
      // Folding bounds the storage and the restore time; the snapshot above is already safe if it fails.
      if (needsCompaction(next)) await compact(d, next).catch(() => undefined);
      return id;
    }),
    take: () => serial(async (d) => {
      const m = await manifest(d);
      const image = m ? await pixels(d, m).catch(() => null) : null;
      return m && image ? { info: { name: m.name, operations: m.operations, savedAt: m.savedAt }, image } : null;
    }),
    clear: () => serial(async (d) => {
      // The manifest goes first: without it the other files are leftovers, whatever happens next.
      for (const name of [MANIFEST, ...(await entryNames(d)).filter((n) => n !== MANIFEST)]) await d.removeEntry(name).catch(() => undefined);
    }),
  };
}

/** The snapshot's full pixels: the raw base, then the tile files in order. */
async function pixels(d: FileSystemDirectoryHandle, m: RecoveryManifest): Promise<RgbaImage> {
  const raw = await (await (await d.getFileHandle(m.base)).getFile()).arrayBuffer();
  if (raw.byteLength !== m.width * m.height * 4) throw new Error('Recovery base is damaged.');
  const img = { width: m.width, height: m.height, data: new Uint8ClampedArray(raw) };
  for (const file of m.tiles) applyTiles(img, new Uint8Array(await (await (await d.getFileHandle(file)).getFile()).arrayBuffer()));
  return img;
}

/** Writes a new raw base under a fresh name (never over the one the manifest names). */
async function writeBase(d: FileSystemDirectoryHandle, image: RgbaImage): Promise<string> {
  const base = `base-${crypto.randomUUID()}.rgba`;
  // A copy: the document's pixels must not be transferred or changed by the write.
  await writeFile(d, base, new Uint8Array(image.data));
  return base;
}

/** Folds the tile files into a new base; same pixels, so the snapshot keeps its id. */
async function compact(d: FileSystemDirectoryHandle, m: RecoveryManifest): Promise<void> {
  const base = await writeBase(d, await pixels(d, m));
  await commit(d, { ...m, base, tiles: [], tileBytes: 0 });
}

/** Replaces the manifest, then deletes the files it no longer names (older snapshots, writes cut by a crash). */
async function commit(d: FileSystemDirectoryHandle, m: RecoveryManifest): Promise<void> {
  await writeFile(d, MANIFEST, JSON.stringify(m));
  const keep = new Set([MANIFEST, m.base, ...m.tiles]);
  for (const name of await entryNames(d)) if (!keep.has(name)) await d.removeEntry(name).catch(() => undefined);
}
