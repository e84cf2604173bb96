/**
 * Batch runs of `onirique gradcam` and `onirique classify`: many files or folders, one model
 * load, progress on a terminal, one line per bad file and on to the next, a CSV summary, and the
 * exit code (1 when any file failed). Node only.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { writeFileAtomic } from '../services/atomic-write';
import { checkOutputFile } from '../cli/image-files';

/** Extensions a folder's photos are picked by (the decoder's formats). */
const PHOTO_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.avif', '.tif', '.tiff', '.gif', '.bmp', '.heic', '.heif']);

/**
 * The files to process: each argument as given, or a folder's photos (by extension, sorted, not
 * recursive). A missing argument stays in the list, to fail on its own line like any bad file.
 */
export async function collectInputs(args: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    const st = await stat(a).catch(() => null);
    if (!st?.isDirectory()) {
      out.push(a);
      continue;
    }
    const names = (await readdir(a)).filter((n) => PHOTO_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith('.')).sort();
    for (const n of names) out.push(join(a, n));
  }
  return out;
}

/** Makes the output folder if needed and checks it can take `files` (checked before the model loads). */
export async function prepareOutDir(dir: string, files: string[]): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${dir}: cannot create the output folder (${e.code ?? String(e)})`, { cause: e });
  });
  for (const f of files) await checkOutputFile(join(dir, f), [extname(f).toLowerCase()]);
}

/** Output stems, one per input: the file name without its extension, `-2`, `-3`… when two inputs share one. */
export function outputStems(files: string[]): string[] {
  const seen = new Map<string, number>();
  return files.map((f) => {
    const stem = basename(f, extname(f)) || 'photo';
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    return n === 1 ? stem : `${stem}-${n}`;
  });
}

/** One CSV cell, quoted when it holds a comma, a quote or a line break. */
export function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes a CSV (header + rows of raw cells) atomically. */
export async function writeCsv(path: string, header: string[], rows: string[][]): Promise<void> {
  const text = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  await writeFileAtomic(path, Buffer.from(text, 'utf8'));
}

/** What a batch reports to: stderr, and whether it is a terminal (progress only there). */
export interface BatchOutput {
  write(s: string): void;
  isTTY: boolean;
}

/** Result of `runBatch`. */
export interface BatchResult {
  failed: number;
  done: number;
}

/**
 * Runs `each` on every file in order. On a terminal a progress line is redrawn; a failure prints
 * one line `onirique NAME: FILE: reason` (the file named once) and the batch goes on.
 */
export async function runBatch(
  name: string,
  files: string[],
  each: (file: string, i: number) => Promise<void>,
  onFail: (file: string, message: string) => void,
  out: BatchOutput = process.stderr,
): Promise<BatchResult> {
  let failed = 0;
  const clear = () => out.isTTY && out.write('\r\x1b[K');
  for (const [i, file] of files.entries()) {
    if (out.isTTY) out.write(`\r\x1b[K${name} [${i + 1}/${files.length}] ${basename(file)}`);
    try {
      await each(file, i);
    } catch (e) {
      failed++;
      const message = e instanceof Error ? e.message : String(e);
      clear();
      out.write(`onirique ${name}: ${message.includes(file) ? message : `${file}: ${message}`}\n`);
      onFail(file, message);
    }
  }
  clear();
  return { failed, done: files.length - failed };
}
