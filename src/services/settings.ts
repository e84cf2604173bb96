/** User settings: defaults merged with what was saved, each key validated. */
import { join } from 'node:path';
import { defaultSettings, type Settings } from '../host/host-contract';
import { readJson, writeJson } from './json-store';

const BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
const LOCALES = ['auto', 'en', 'fr'] as const;
const FORMATS = ['png', 'jpeg', 'webp', 'avif', 'tiff'] as const;

function isKernelList(v: unknown): v is Settings['userKernels'] {
  return (
    Array.isArray(v) &&
    v.every(
      (k) =>
        typeof k === 'object' && k !== null && typeof (k as { name?: unknown }).name === 'string' &&
        Array.isArray((k as { matrix?: unknown }).matrix) &&
        ((k as { matrix: unknown[] }).matrix).every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number' && Number.isFinite(x))),
    )
  );
}

/** Keeps only valid keys of an untrusted patch; throws on a key with a wrong value. */
export function validateSettingsPatch(patch: unknown): Partial<Settings> {
  if (typeof patch !== 'object' || patch === null) throw new Error('Settings patch must be an object.');
  const p = patch as Record<string, unknown>;
  const out: Partial<Settings> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === 'backend' && BACKENDS.includes(v as Settings['backend'])) out.backend = v as Settings['backend'];
    else if (k === 'locale' && LOCALES.includes(v as Settings['locale'])) out.locale = v as Settings['locale'];
    else if (k === 'exportFormat' && FORMATS.includes(v as Settings['exportFormat'])) out.exportFormat = v as Settings['exportFormat'];
    else if (k === 'exportQuality' && typeof v === 'number' && v >= 1 && v <= 100) out.exportQuality = Math.round(v);
    else if (k === 'userKernels' && isKernelList(v)) out.userKernels = v;
    else throw new Error(`Invalid setting “${k}”.`);
  }
  return out;
}

/** Settings persisted as settings.json in the user data folder. */
export class SettingsStore {
  private file: string;
  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'settings.json');
  }

  /** Current settings; invalid saved keys fall back to defaults. */
  async get(): Promise<Settings> {
    const saved = await readJson<unknown>(this.file, {});
    const merged: Settings = { ...defaultSettings };
    if (typeof saved === 'object' && saved !== null) {
      for (const [k, v] of Object.entries(saved)) {
        try {
          Object.assign(merged, validateSettingsPatch({ [k]: v }));
        } catch {
          // A damaged key keeps its default rather than blocking start-up.
        }
      }
    }
    return merged;
  }

  /** Validates and saves a patch; returns the new settings. */
  async set(patch: unknown): Promise<Settings> {
    const next = { ...(await this.get()), ...validateSettingsPatch(patch) };
    await writeJson(this.file, next);
    return next;
  }
}
