/** Which files the app opens, and extracting them from "open with" command lines (argv, second instance). */
import { stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Extensions registered with the OS as "open with Onirique" (electron-builder fileAssociations mirror this). */
export const ASSOCIATED_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'avif', 'tif', 'tiff', 'gif', 'heic', 'heif'] as const;

/** Extensions the open dialog offers: the associated ones plus rarer JPEG spellings. */
export const OPENABLE_EXTENSIONS: readonly string[] = [...ASSOCIATED_EXTENSIONS, 'jpe', 'jfif'];

const OPENABLE = new Set(OPENABLE_EXTENSIONS.map((e) => `.${e}`));

/** True when a path's extension is one the app opens (content is still sniffed when opening). */
export function hasImageExtension(path: string): boolean {
  return OPENABLE.has(extname(path).toLowerCase());
}

/** A command-line argument as a path: file:// URLs (Linux desktop files pass %U) become paths. */
export function argToPath(arg: string, cwd: string): string | null {
  if (/^file:\/\//i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null;
    }
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(arg)) return null;
  return isAbsolute(arg) ? resolve(arg) : resolve(cwd, arg);
}

/**
 * Image paths in a command line, absolute, in order, without duplicates. argv[0] (the executable),
 * switches (Chromium adds some to a second instance's argv; macOS adds -psn_...), the app folder
 * in development (`electron .`) and non-image arguments are skipped; after `--` every argument is a path.
 * `cwd` is the launching process's folder: for a second instance, Electron's workingDirectory.
 */
export function imagePathsFromArgv(argv: readonly string[], cwd: string = process.cwd()): string[] {
  const out: string[] = [];
  let switches = true;
  for (const arg of argv.slice(1)) {
    if (switches && arg === '--') {
      switches = false;
      continue;
    }
    if (arg.length === 0 || (switches && arg.startsWith('-'))) continue;
    const path = argToPath(arg, cwd);
    if (path && hasImageExtension(path) && !out.includes(path)) out.push(path);
  }
  return out;
}

/** Keeps the paths that name existing regular files (argv may name files that were since deleted). */
export async function existingFiles(paths: readonly string[]): Promise<string[]> {
  const checks = await Promise.all(paths.map((p) => stat(p).then((s) => s.isFile(), () => false)));
  return paths.filter((_, i) => checks[i]);
}
