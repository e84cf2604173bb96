/** The training data folder (one subfolder per class): listing, duplicate detection and the bad-data checks. */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

/** One photo of the data set. */
export interface DataPhoto {
  path: string;
  classIndex: number;
}

/** The classes (subfolder names, sorted) and their photos; `notes` are lines about what was left out. */
export interface DataSet {
  dir: string;
  classes: string[];
  photos: DataPhoto[];
  notes: string[];
}

/** A problem with the training data: the message says what and where; nothing was written. */
export class TeachDataError extends Error {
  override name = 'TeachDataError';
}

/** Throws unless every class has at least two photos (counts[c] = usable photos of class c). */
export function checkClassCounts(classes: string[], counts: number[], what = 'photo'): void {
  if (classes.length < 2) {
    throw new TeachDataError(`training needs at least 2 classes (one subfolder each), found ${classes.length}${classes.length ? ` (“${classes[0]}”)` : ''}`);
  }
  const empty = classes.filter((_, c) => !counts[c]);
  if (empty.length) throw new TeachDataError(`class ${empty.map((n) => `“${n}”`).join(', ')} has no usable ${what}s`);
  const one = classes.filter((_, c) => counts[c] === 1);
  if (one.length) throw new TeachDataError(`class ${one.map((n) => `“${n}”`).join(', ')} has only 1 usable ${what}; each class needs at least 2`);
}

async function listFolder(dir: string): Promise<{ files: string[]; folders: string[] }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new TeachDataError(e.code === 'ENOENT' ? `${dir}: no such folder` : e.code === 'ENOTDIR' ? `${dir}: is a file, not a folder` : `${dir}: cannot read (${e.code ?? String(e)})`);
  });
  const visible = entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files: visible.filter((e) => e.isFile()).map((e) => e.name), folders: visible.filter((e) => e.isDirectory()).map((e) => e.name) };
}

/** SHA-256 of a file, for finding one photo filed under two classes. */
async function fileHash(path: string): Promise<string | null> {
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) return null;
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * Lists DIR/<class>/<photo>. Refuses (TeachDataError) fewer than two classes, an empty class, a
 * class of one photo and the same photo (same bytes) in two classes; a copy within one class and
 * loose files are left out with a note.
 */
export async function readDataFolder(dirIn: string): Promise<DataSet> {
  const dir = resolve(dirIn);
  const top = await listFolder(dir);
  const notes = top.files.map((f) => `ignored: ${f} (not in a class subfolder)`);
  const classes = top.folders;
  const photos: DataPhoto[] = [];
  const seen = new Map<string, DataPhoto>();
  const clashes: string[] = [];
  for (const [classIndex, name] of classes.entries()) {
    const sub = await listFolder(join(dir, name));
    for (const f of sub.folders) notes.push(`ignored: ${name}/${f}/ (folders inside a class are not read)`);
    for (const f of sub.files) {
      const path = join(dir, name, f);
      const hash = await fileHash(path);
      if (!hash) continue;
      const first = seen.get(hash);
      if (first && first.classIndex !== classIndex) clashes.push(`${relative(dir, first.path)} and ${relative(dir, path)}`);
      else if (first) notes.push(`skipped: ${relative(dir, path)} (same photo as ${relative(dir, first.path)})`);
      else {
        const p = { path, classIndex };
        seen.set(hash, p);
        photos.push(p);
      }
    }
  }
  if (clashes.length) throw new TeachDataError(`the same photo is in two classes (a photo has one class): ${clashes.join('; ')}`);
  checkClassCounts(classes, classes.map((_, c) => photos.filter((p) => p.classIndex === c).length));
  return { dir, classes, photos, notes };
}
