/**
 * `--settings-from IMAGE`: the parameters an Onirique export carries (PNG text chunks, or XMP for
 * JPEG, WebP, AVIF, TIFF), read back so a command re-applies exactly what made that image.
 */
import { readFile } from 'node:fs/promises';
import { readImageParameters } from '../services/encode';
import { parseKernelFile } from '../filter/compute/filter-kernel';
import { defaultFilterOptions, type FilterOptions } from '../filter/compute/filter-options';

/** The `onirique:` parameters embedded in an image file; throws, naming the file, when it carries none. */
export async function readSettingsFrom(path: string): Promise<Record<string, string>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`}`, { cause: e });
  }
  const params = await readImageParameters(bytes);
  if (!params) throw new Error(`${path}: carries no Onirique settings (not exported by Onirique, or its metadata was stripped)`);
  return params;
}

/** The JSON object stored under `key`, or a message naming the file and what it lacks. */
export function settingsObject(params: Record<string, string>, key: string, path: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(params[key] ?? 'null');
  } catch {
    v = null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${path}: its settings have no valid “${key}”`);
  return Object.fromEntries(Object.entries(v));
}

/** The filter an export was made with (`onirique:filter-options`, as the app and `onirique filter` write it). */
export async function filterSettingsFrom(path: string): Promise<{ options: FilterOptions; kernelName: string }> {
  const params = await readSettingsFrom(path);
  if (params['onirique:operation'] !== 'filter') throw new Error(`${path}: was not made by a filter (its operation is “${params['onirique:operation'] ?? 'unknown'}”)`);
  const stored = settingsObject(params, 'onirique:filter-options', path);
  // The kernel is checked like a kernel file; the rest keeps the engine's defaults where absent.
  const kernel = parseKernelFile(JSON.stringify(stored.kernel ?? null), `${path} (its kernel)`);
  const options: FilterOptions = { ...defaultFilterOptions, ...stored, kernel };
  return { options, kernelName: params['onirique:kernel'] ?? kernel.name ?? 'custom' };
}

/** The dream an export was made with: its stored options and, when it was guided, the guide's SHA-256. */
export async function dreamSettingsFrom(path: string): Promise<{ options: Record<string, unknown>; guideSha256: string | null }> {
  const params = await readSettingsFrom(path);
  if (params['onirique:operation'] !== 'dream') throw new Error(`${path}: was not made by a dream (its operation is “${params['onirique:operation'] ?? 'unknown'}”)`);
  const options = settingsObject(params, 'onirique:dream-options', path);
  return { options, guideSha256: params['onirique:guide-sha256'] ?? null };
}

/** Which gradcam flag each recorded `onirique:` parameter restores (booleans are stored as "true"/"false"). */
const gradcamFlags: Record<string, string> = {
  'onirique:method': 'method',
  'onirique:class': 'class',
  'onirique:layer': 'layer',
  'onirique:fit': 'fit',
  'onirique:smooth': 'smooth',
  'onirique:colormap': 'colormap',
  'onirique:alpha': 'alpha',
  'onirique:scorecam-channels': 'score-channels',
  'onirique:scorecam-upsample': 'score-upsample',
  'onirique:gradcampp-eps': 'eps',
  'onirique:eigen-smooth': 'eigen-smooth',
};
const gradcamBooleans = new Set(['smooth', 'eigen-smooth']);

/** The gradcam flags an export was made with, as parsed flag values (validated later like typed ones). */
export async function gradcamSettingsFrom(path: string): Promise<Record<string, string | boolean>> {
  const params = await readSettingsFrom(path);
  if (params['onirique:operation'] !== 'gradcam') throw new Error(`${path}: was not made by gradcam (its operation is “${params['onirique:operation'] ?? 'unknown'}”)`);
  const flags: Record<string, string | boolean> = {};
  for (const [key, flag] of Object.entries(gradcamFlags)) {
    const v = params[key];
    if (v !== undefined) flags[flag] = gradcamBooleans.has(flag) ? v === 'true' : v;
  }
  return flags;
}
