/**
 * The model cache on disk: `<userData>/models/<id>/` folders holding model.json, shards and an
 * `installed.json` marker written last. A folder without a valid marker is not a model.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { lstat, open, readdir, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { readJson, writeJson } from './json-store';

/** An error whose message is written for the user (what went wrong, what to do). */
export class ModelError extends Error {
  override name = 'ModelError';
}

/** How the model's pixels must be scaled before the first layer. */
export type PixelRange = '-1..1' | '0..1';

/** tfjs serialisation the worker must load with (loadLayersModel or loadGraphModel). */
export type ModelFormat = 'layers-model' | 'graph-model';

/** One verified file inside an installed model folder. */
export interface InstalledFile {
  name: string;
  bytes: number;
  sha256: string;
}

/** Contents of `installed.json`: what was verified when the model entered the cache. */
export interface InstalledMarker {
  version: 1;
  id: string;
  name: string;
  source: 'catalog' | 'imported';
  format: ModelFormat;
  /** SHA-256 of model.json. */
  sha256: string;
  inputSize: number;
  range: PixelRange;
  /** True when the folder holds a labels.json (imported models); catalog labels ship with the app. */
  hasLabels: boolean;
  /** Where the class names came from (a file of the imported folder, `--labels`, the catalog), for display. */
  labelsSource?: string;
  files: InstalledFile[];
  installedAt: string;
  /** Folder an imported model was copied from, for display only. */
  importedFrom?: string;
}

/** Name of the marker file written last into an installed model folder. */
export const MARKER_FILE = 'installed.json';
/** Labels of an imported model, stored beside its model.json. */
export const LABELS_FILE = 'labels.json';
/** Prefix of in-progress folders; never listed, removed when stale. */
export const PARTIAL_PREFIX = '.partial-';

const SAFE_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/i;
const SAFE_FILE = /^[a-z0-9_][a-z0-9._-]{0,199}$/i;

/** True for an id that can name a cache folder (no separators, no dot-files, no traversal). */
export function isSafeModelId(id: string): boolean {
  return SAFE_ID.test(id) && !id.includes('..');
}

/** True for a plain file name inside a model folder (what tfjs shard paths must be here). */
export function isSafeFileName(name: string): boolean {
  return SAFE_FILE.test(name) && !name.includes('..');
}

/** The cache root under the user data folder. */
export function modelsRoot(userDataDir: string): string {
  return join(userDataDir, 'models');
}

/**
 * Resolves `<userData>/models/<id>/<file>` for the app:// handler or a web server, or null when
 * the request names anything outside that model folder. Callers pass decoded path segments and
 * answer 404 when the returned file does not exist.
 */
export function modelFileForUrl(userDataDir: string, id: string, file: string): string | null {
  if (typeof id !== 'string' || typeof file !== 'string') return null;
  if (!isSafeModelId(id) || !isSafeFileName(file)) return null;
  const folder = resolve(modelsRoot(userDataDir), id);
  const target = resolve(folder, file);
  const rel = relative(folder, target);
  // Belt and braces: the regexes already exclude separators, this guards against future edits.
  if (!rel || rel.startsWith('..') || rel.includes(sep) || rel.includes('/')) return null;
  return target;
}

/** Splits a URL path `/models/<id>/<file>` (any prefix before /models/ ignored) and resolves it as modelFileForUrl does. */
export function modelFileForUrlPath(userDataDir: string, pathname: string): string | null {
  const m = /(?:^|\/)models\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  let id: string;
  let file: string;
  try {
    id = decodeURIComponent(m[1]);
    file = decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  return modelFileForUrl(userDataDir, id, file);
}

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** SHA-256 (hex) of bytes. */
export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isMarker(v: unknown, id: string): v is InstalledMarker {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<InstalledMarker>;
  return (
    m.version === 1 &&
    m.id === id &&
    typeof m.name === 'string' &&
    (m.source === 'catalog' || m.source === 'imported') &&
    (m.format === 'layers-model' || m.format === 'graph-model') &&
    typeof m.sha256 === 'string' &&
    typeof m.inputSize === 'number' &&
    (m.range === '-1..1' || m.range === '0..1') &&
    typeof m.hasLabels === 'boolean' &&
    Array.isArray(m.files)
  );
}

/**
 * The marker of an installed model, or null when the folder is missing, unmarked, damaged, or a
 * listed file is absent or has the wrong size (sizes are cheap to check on every listing; hashes
 * were checked when the files arrived).
 */
export async function readInstalledMarker(userDataDir: string, id: string): Promise<InstalledMarker | null> {
  if (!isSafeModelId(id)) return null;
  const folder = join(modelsRoot(userDataDir), id);
  const marker = await readJson<unknown>(join(folder, MARKER_FILE), null);
  if (!isMarker(marker, id)) return null;
  for (const f of marker.files) {
    if (!isSafeFileName(f.name)) return null;
    const st = await stat(join(folder, f.name)).catch(() => null);
    if (!st?.isFile() || st.size !== f.bytes) return null;
  }
  return marker;
}

/**
 * Reads `<dir>/<name>` when it is a regular file (not a link, never followed: O_NOFOLLOW plus an
 * fstat of the opened file) of at most `maxBytes`; null when absent. `expectBytes` pins the exact
 * size the manifest promised, checked on the opened file so a swap after validation cannot slip in.
 */
export async function readFolderFile(dir: string, name: string, maxBytes: number, expectBytes?: number): Promise<Buffer | null> {
  const path = join(dir, name);
  const st = await lstat(path).catch(() => null);
  if (!st) return null;
  if (st.isSymbolicLink()) throw new ModelError(`“${name}” is a symbolic link; copy the real file into the model folder.`);
  if (!st.isFile()) throw new ModelError(`“${name}” is not a regular file.`);
  const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(() => {
    throw new ModelError(`“${name}” cannot be read (it changed or is a link).`);
  });
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== st.ino) throw new ModelError(`“${name}” changed while it was being read; try again.`);
    if (opened.size > maxBytes) throw new ModelError(`“${name}” is ${(opened.size / 2 ** 20).toFixed(0)} MiB, more than it should be.`);
    if (expectBytes !== undefined && opened.size !== expectBytes) {
      throw new ModelError(`“${name}” is ${opened.size} bytes but model.json says ${expectBytes}; it changed since it was checked.`);
    }
    const bytes = await handle.readFile();
    if (expectBytes !== undefined && bytes.byteLength !== expectBytes) throw new ModelError(`“${name}” changed while it was being read; try again.`);
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Writes the marker; called last, after every file is in place. */
export async function writeInstalledMarker(folder: string, marker: InstalledMarker): Promise<void> {
  await writeJson(join(folder, MARKER_FILE), marker);
}

/**
 * Removes `.partial-*` folders left by crashed or failed installs. Folders named in `keep` (in
 * flight in this process) survive, and so do recent ones that another process may still be filling.
 */
export async function cleanPartials(userDataDir: string, keep: ReadonlySet<string>, olderThanMs: number): Promise<string[]> {
  const root = modelsRoot(userDataDir);
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(PARTIAL_PREFIX) || keep.has(name)) continue;
    const path = join(root, name);
    const st = await stat(path).catch(() => null);
    if (!st) continue;
    if (Date.now() - st.mtimeMs < olderThanMs) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Lowercase, dash-separated slug of a folder name for `imported-<slug>` ids. */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return s || 'model';
}
