/**
 * "Import model folder…" in the browser: the user picks a folder, the page sends the files the
 * desktop's import reads to its own server, and the server puts them through the desktop's one
 * validation gate (ModelStore.importFiles → importFrom → prepareModel) into the shared model cache.
 * The server's cache, not OPFS: the browser build always runs with its server, which validates with
 * the Node services (the worker could not run those checks), lists the model after a reload and
 * shares it with the CLI and the desktop app (`onirique models remove` removes it).
 */
import { encodeBinary } from './binary-json';
import type { HostResult, ModelEntry, TrainedModelRequest } from './host-contract';

/** Files besides model.json and its weights that the desktop's import reads (model-labels.ts readFolderExtras). */
export const FOLDER_EXTRAS = ['labels.json', 'imagenet_labels.json', 'metadata.json', 'labels.txt', 'onirique-model.json'];

/** A file of the chosen folder: its path below the folder (`model.json`, `sub/x.bin`) and its bytes. */
export interface FolderFile {
  path: string;
  bytes: () => Promise<Uint8Array>;
}

/** The weight file names a model.json's manifest lists (none when it does not parse: the server then says why). */
export function weightPaths(modelJson: string): string[] {
  try {
    const manifest: unknown = Reflect.get(Object(JSON.parse(modelJson)), 'weightsManifest');
    if (!Array.isArray(manifest)) return [];
    return manifest.flatMap((g: unknown) => {
      const paths: unknown = Reflect.get(Object(g), 'paths');
      return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string').map((p) => p.replace(/^\.\//, '')) : [];
    });
  } catch {
    return [];
  }
}

/**
 * What to send of a folder: model.json, the weight files it names and the label and metadata files,
 * as the desktop reads them from the folder itself (other files, such as a saved model, stay home).
 */
export async function folderRequest(name: string, files: readonly FolderFile[]): Promise<TrainedModelRequest> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const modelJson = byPath.get('model.json');
  const text = modelJson ? new TextDecoder().decode(await modelJson.bytes()) : '';
  const wanted = new Set(['model.json', ...weightPaths(text), ...FOLDER_EXTRAS]);
  const out: TrainedModelRequest['files'] = [];
  for (const path of wanted) {
    const f = byPath.get(path);
    if (f) out.push({ name: path, bytes: await f.bytes() });
  }
  return { name, files: out };
}

/** Lets the user choose a folder; its files with paths below it, and its name; null when cancelled. */
function pickFolder(): Promise<{ name: string; files: FolderFile[] } | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.webkitdirectory = true;
    input.addEventListener(
      'change',
      () => {
        const list = [...(input.files ?? [])];
        const name = list[0]?.webkitRelativePath.split('/')[0] ?? 'Imported model';
        const files = list.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/'), bytes: async () => new Uint8Array(await f.arrayBuffer()) }));
        resolve({ name, files });
      },
      { once: true },
    );
    input.addEventListener('cancel', () => resolve(null), { once: true });
    input.click();
  });
}

/** Picks a folder and imports it through the server route `url` (the trained-model route: a folder's files as JSON). */
export async function importModelFolder(url: string, verb: string): Promise<HostResult<ModelEntry> | null> {
  const picked = await pickFolder();
  if (!picked) return null;
  try {
    const body = JSON.stringify(encodeBinary(await folderRequest(picked.name, picked.files)));
    const r = await fetch(url, { method: verb, headers: { 'content-type': 'application/json' }, body });
    const got = (await r.json()) as HostResult<ModelEntry>;
    // The route is shared with the Teach panel's saves; the user imported a folder, as on the desktop.
    return got.ok ? got : { ok: false, error: got.error.replace(/^Cannot save the trained model: /, 'Cannot import this model: ') };
  } catch {
    return { ok: false, error: 'Importing a model folder needs the local server (npm run web), the desktop app or the CLI (onirique models import DIR).' };
  }
}
