// Shared by the Node bench suites: bundles a few of the app's TS modules into one importable file
// (packages stay external, so tfjs and sharp are the installed ones). No rows of its own.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles `contents` (TS, paths relative to the repository) into dist/bench/<name> and imports it. */
export async function bundleEntry(name, contents, format = 'esm') {
  const outfile = join(root, 'dist', 'bench', name);
  await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}
