/** Writing a model folder all at once: files go to a hidden temp folder beside it, which is then renamed into place. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { throwIfAborted } from '../core/job';

/** The provenance file every trained model folder holds (and what marks a folder as ours to replace). */
export const PROVENANCE_FILE = 'onirique-model.json';

/**
 * Checks before any compute that `out` can become a model folder: its parent exists and is
 * writable, and `out` is absent, empty, or a model folder Onirique wrote (never a user's folder).
 */
export async function checkOutFolder(outIn: string): Promise<void> {
  const out = resolve(outIn);
  const parent = dirname(out);
  const ps = await stat(parent).catch(() => null);
  if (!ps?.isDirectory()) throw new Error(`${outIn}: the folder “${dirname(outIn)}” does not exist`);
  if (!(await access(parent, constants.W_OK).then(() => true, () => false))) throw new Error(`${outIn}: the folder “${dirname(outIn)}” is not writable`);
  const st = await stat(out).catch(() => null);
  if (!st) return;
  if (!st.isDirectory()) throw new Error(`${outIn}: is a file, not a folder`);
  const names = await readdir(out);
  if (names.length && !names.includes(PROVENANCE_FILE)) throw new Error(`${outIn}: exists and is not an Onirique model folder (no ${PROVENANCE_FILE}); choose a new or empty folder`);
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const h = await open(path, 'wx', 0o644);
  try {
    await h.writeFile(bytes);
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Writes `files` as the folder `out`: readers see the old folder or the whole new one. On any
 * failure or Cancel (checked between files) the temp folder is removed and `out` left as it was.
 */
export async function writeFolderAtomic(outIn: string, files: { name: string; bytes: Uint8Array }[], signal?: AbortSignal): Promise<void> {
  const out = resolve(outIn);
  const tag = randomBytes(6).toString('hex');
  const tmp = join(dirname(out), `.${basename(out)}.${tag}.tmp`);
  const old = join(dirname(out), `.${basename(out)}.${tag}.old`);
  await mkdir(tmp);
  let moved = false;
  try {
    for (const f of files) {
      throwIfAborted(signal);
      await writeSynced(join(tmp, f.name), f.bytes);
    }
    throwIfAborted(signal);
    if (await stat(out).catch(() => null)) {
      await rename(out, old);
      moved = true;
    }
    await rename(tmp, out);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (moved) await rename(old, out).catch(() => undefined);
    throw e;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}
