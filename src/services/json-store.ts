/** Small JSON files in the user data folder, read leniently and written atomically. */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write';

/** Reads JSON, returning `fallback` when the file is missing or damaged (a bad file must not stop the app). */
export async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

/** Writes JSON atomically. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8'));
}
