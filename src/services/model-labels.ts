/**
 * Where a model's class names and preprocessing hints come from: the files of its folder (five
 * layouts), a labels file the user names, or the catalog when the model.json is a catalog model's.
 * Every file is read as a regular file inside the folder (links refused), like the model itself.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { catalogModelBySha } from './model-catalog';
import { ModelError, type PixelRange, readFolderFile } from './model-files';

/** Largest labels or metadata file read (a 100k-class list fits easily). */
const MAX_LABELS_BYTES = 16 * 1024 * 1024;

/** The provenance file a model trained by `onirique teach` carries (classes, input size, range). */
export const PROVENANCE_FILE = 'onirique-model.json';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a labels list: a JSON list of non-empty strings, or an object with a `labels` list. */
export function parseLabels(raw: unknown, source: string): string[] {
  const list = Array.isArray(raw) ? raw : isObject(raw) && Array.isArray(raw.labels) ? raw.labels : null;
  if (!list || list.length === 0 || !list.every((l) => typeof l === 'string')) {
    throw new ModelError(`${source} must be a JSON list of class names (or an object with a “labels” list).`);
  }
  return list as string[];
}

/** Names from text: a JSON list or {labels}, else one name per non-empty line. */
function labelsFromText(text: string, source: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch {
      throw new ModelError(`${source} is not valid JSON.`);
    }
    return parseLabels(raw, source);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) throw new ModelError(`${source} is empty.`);
  return lines;
}

/** Reads a labels file given by the user (`--labels FILE`: JSON list, {labels}, or one name per line). */
export async function readLabelsFile(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new ModelError(`the labels file “${basename(path)}” cannot be read.`);
  });
  return labelsFromText(text, `the labels file “${basename(path)}”`);
}

/** What a model folder says about itself beside model.json. */
export interface FolderExtras {
  labels: string[] | null;
  /** The file the labels came from, e.g. `imagenet_labels.json`. */
  labelsSource: string | null;
  imageSize: number | null;
  range: PixelRange | null;
  /** The file the range came from. */
  rangeSource: string | null;
}

async function readJsonFile(dir: string, name: string): Promise<unknown> {
  const bytes = await readFolderFile(dir, name, MAX_LABELS_BYTES);
  if (!bytes) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ModelError(`${name} in the model folder is not valid JSON.`);
  }
}

/** Size and range hints of metadata.json (ml5 / Teachable Machine) or the Teach provenance file. */
function takeHints(out: FolderExtras, meta: unknown, name: string): void {
  if (!isObject(meta)) return;
  const size = meta.imageSize ?? meta.inputSize;
  if (out.imageSize === null && Number.isInteger(size) && (size as number) > 0) out.imageSize = size as number;
  if (out.range === null && (meta.range === '-1..1' || meta.range === '0..1')) {
    out.range = meta.range;
    out.rangeSource = name;
  }
}

/**
 * Looks next to model.json for labels, in this order: `labels.json`, `imagenet_labels.json`,
 * `metadata.json` “labels”, `labels.txt` (one per line), `onirique-model.json` “classes”; and for
 * size and range hints in metadata.json and onirique-model.json.
 */
export async function readFolderExtras(dir: string): Promise<FolderExtras> {
  const out: FolderExtras = { labels: null, labelsSource: null, imageSize: null, range: null, rangeSource: null };
  const take = (labels: string[], source: string) => {
    if (out.labels) return;
    out.labels = labels;
    out.labelsSource = source;
  };
  for (const name of ['labels.json', 'imagenet_labels.json']) {
    const raw = await readJsonFile(dir, name);
    if (raw !== undefined) take(parseLabels(raw, name), name);
  }
  const meta = await readJsonFile(dir, 'metadata.json');
  if (isObject(meta) && meta.labels !== undefined) take(parseLabels(meta.labels, 'metadata.json “labels”'), 'metadata.json');
  takeHints(out, meta, 'metadata.json');
  const txt = await readFolderFile(dir, 'labels.txt', MAX_LABELS_BYTES);
  if (txt) take(labelsFromText(txt.toString('utf8'), 'labels.txt'), 'labels.txt');
  const provenance = await readJsonFile(dir, PROVENANCE_FILE);
  if (isObject(provenance) && provenance.classes !== undefined) take(parseLabels(provenance.classes, `${PROVENANCE_FILE} “classes”`), PROVENANCE_FILE);
  takeHints(out, provenance, PROVENANCE_FILE);
  return out;
}

/** The labels a model ships with when its model.json is byte for byte a catalog model's; else null. */
export function catalogLabelsFor(sha256: string): { labels: string[]; source: string; range: PixelRange } | null {
  const model = catalogModelBySha(sha256);
  return model ? { labels: [...model.labels], source: `catalog (${model.name})`, range: model.range } : null;
}
