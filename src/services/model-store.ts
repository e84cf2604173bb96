/**
 * The model manager: lists catalog and imported models, downloads catalog models into the cache
 * and imports user folders into it. Electron-free: main, the e2e harness, the web server and the
 * CLI all drive it with a user data folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { HostCallOptions, ModelEntry } from '../host/host-contract';
import { AbortError } from '../core/job';
import { type CatalogModel, DEFAULT_MODEL_BASE_URL, modelCatalog } from './model-catalog';
import { writeFileAtomic } from './atomic-write';
import { defaultDownloadOptions, downloadCatalogFiles } from './model-download';
import {
  cleanPartials,
  type InstalledFile,
  type InstalledMarker,
  isSafeFileName,
  isSafeModelId,
  LABELS_FILE,
  ModelError,
  modelsRoot,
  PARTIAL_PREFIX,
  readInstalledMarker,
  sha256Bytes,
  sha256File,
  slugify,
  writeInstalledMarker,
} from './model-files';
import { type ImportSettings, prepareModel, type PreparedModel } from './model-import';
import { catalogLabelsFor, parseLabels, PROVENANCE_FILE } from './model-labels';

export { FALLBACK_INPUT_SIZE, type ImportSettings } from './model-import';

/** Construction options; everything has a default fit for the app. */
export interface ModelStoreOptions {
  /** Overrides ONIRIQUE_MODEL_BASE_URL and the catalog's public host (tests point it at 127.0.0.1). */
  baseUrl?: string;
  fetchImpl?: typeof fetch;
  concurrency?: number;
  stallTimeoutMs?: number;
  /** `.partial-*` folders older than this that this process does not own are deleted. */
  partialMaxAgeMs?: number;
  /** Replaces the catalog (tests serve crafted models as if they were catalog ones). */
  catalog?: readonly CatalogModel[];
  /** Called after this store installed, imported or removed a model (the watcher sees other processes). */
  onChange?: () => void;
}

/** Install call options: the host's progress callback plus a cancel signal (main keeps the controller). */
export interface InstallOptions extends HostCallOptions {
  signal?: AbortSignal;
}

/** URL (relative to the renderer's origin) the worker fetches an installed model.json from. */
export function modelJsonUrl(id: string): string {
  return `models/${encodeURIComponent(id)}/model.json`;
}

/** Catalog download base: constructor option, else ONIRIQUE_MODEL_BASE_URL, else the public host. */
export function resolveBaseUrl(option?: string): string {
  const raw = option ?? process.env.ONIRIQUE_MODEL_BASE_URL ?? DEFAULT_MODEL_BASE_URL;
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ModelError(`the model download address “${raw}” must be http or https.`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** Downloads, imports and lists models under `<userDataDir>/models`. */
export class ModelStore {
  readonly baseUrl: string;
  private readonly opts: ModelStoreOptions;
  /** Partial folders this process is filling: cleanup must not touch them. */
  private readonly ownPartials = new Set<string>();
  private readonly installing = new Set<string>();

  constructor(
    readonly userDataDir: string,
    opts: ModelStoreOptions = {},
  ) {
    this.opts = opts;
    this.baseUrl = resolveBaseUrl(opts.baseUrl);
  }

  /** The models this store downloads: the app's catalog unless a test replaced it. */
  get catalog(): readonly CatalogModel[] {
    return this.opts.catalog ?? modelCatalog;
  }

  private catalogModel(id: string): CatalogModel | undefined {
    return this.catalog.find((m) => m.id === id);
  }

  /** The cache root. */
  get root(): string {
    return modelsRoot(this.userDataDir);
  }

  /** Catalog models (installed or not), then installed imports, by name. */
  async list(): Promise<ModelEntry[]> {
    await this.cleanPartials();
    const entries: ModelEntry[] = [];
    for (const model of this.catalog) entries.push(await this.catalogEntry(model));
    const names = await readdir(this.root).catch(() => [] as string[]);
    const others: ModelEntry[] = [];
    for (const name of names) {
      if (name.startsWith('.') || this.catalogModel(name) || !isSafeModelId(name)) continue;
      const marker = await readInstalledMarker(this.userDataDir, name);
      if (marker) others.push(await this.entryFromMarker(marker));
    }
    others.sort((a, b) => a.name.localeCompare(b.name));
    return [...entries, ...others];
  }

  /** One model's entry, or null when it is neither in the catalog nor installed. */
  async get(id: string): Promise<ModelEntry | null> {
    const model = this.catalogModel(id);
    if (model) return this.catalogEntry(model);
    const marker = await readInstalledMarker(this.userDataDir, id);
    return marker ? this.entryFromMarker(marker) : null;
  }

  /** Folder of an installed model (for the CLI and loaders in Node), or null. */
  async installedDir(id: string): Promise<string | null> {
    return (await readInstalledMarker(this.userDataDir, id)) ? join(this.root, id) : null;
  }

  /**
   * Makes a catalog model usable: returns at once when installed and its files still hash right,
   * otherwise downloads it. Throws ModelError with a user message, or AbortError when cancelled.
   */
  async install(id: string, call: InstallOptions = {}): Promise<ModelEntry> {
    const model = this.catalogModel(id);
    if (!model) throw new ModelError(`there is no model “${id}” in the catalog.`);
    if (this.installing.has(id)) throw new ModelError(`${model.name} is already being downloaded.`);
    this.installing.add(id);
    const partialName = `${PARTIAL_PREFIX}${id}-${randomBytes(6).toString('hex')}`;
    const partial = join(this.root, partialName);
    try {
      if (await this.verifyInstalled(model)) return await this.catalogEntry(model);
      await mkdir(this.root, { recursive: true });
      await this.cleanPartials();
      this.ownPartials.add(partialName);
      await mkdir(partial);
      const files = await downloadCatalogFiles(model, partial, {
        baseUrl: this.baseUrl,
        signal: call.signal,
        onProgress: call.onProgress,
        fetchImpl: this.opts.fetchImpl,
        concurrency: this.opts.concurrency ?? defaultDownloadOptions.concurrency,
        stallTimeoutMs: this.opts.stallTimeoutMs ?? defaultDownloadOptions.stallTimeoutMs,
      });
      if (call.signal?.aborted) throw new AbortError();
      const modelJson = files[0];
      if (!modelJson) throw new ModelError(`${model.name} has no files in the catalog.`);
      // The hashes say the bytes are the catalog's; the same gate as an import says they make a model that runs.
      const prepared = await prepareModel(partial, { inputSize: model.inputSize, range: model.range, labels: model.labels.length ? [...model.labels] : undefined });
      await this.commit(partial, id, {
        version: 1,
        id,
        name: model.name,
        source: 'catalog',
        format: model.format,
        sha256: modelJson.sha256,
        inputSize: prepared.inputSize,
        range: model.range,
        hasLabels: false,
        labelsSource: 'catalog',
        files,
        installedAt: new Date().toISOString(),
      });
      return await this.catalogEntry(model);
    } finally {
      await rm(partial, { recursive: true, force: true });
      this.ownPartials.delete(partialName);
      this.installing.delete(id);
    }
  }

  /**
   * Validates a tfjs model folder, builds it and runs it once, then writes the bytes that were
   * checked (never a second read of the folder) into the cache as `imported-<slug>`.
   */
  async importFrom(dir: string, settings: ImportSettings = {}): Promise<ModelEntry> {
    const source = resolve(dir);
    const prepared = await prepareModel(source, settings);
    const name = (settings.name ?? basename(source)).trim() || 'Imported model';
    const id = await this.freeImportId(slugify(settings.name ?? basename(source)), prepared.sha256);
    await mkdir(this.root, { recursive: true });
    const partialName = `${PARTIAL_PREFIX}${id}-${randomBytes(6).toString('hex')}`;
    const partial = join(this.root, partialName);
    this.ownPartials.add(partialName);
    try {
      await mkdir(partial);
      const files = await writePrepared(partial, prepared);
      const marker: InstalledMarker = {
        version: 1,
        id,
        name,
        source: 'imported',
        format: prepared.folder.format,
        sha256: prepared.sha256,
        inputSize: prepared.inputSize,
        range: prepared.range,
        hasLabels: prepared.labels !== null,
        ...(prepared.labelsSource ? { labelsSource: prepared.labelsSource } : {}),
        files,
        installedAt: new Date().toISOString(),
        importedFrom: source,
      };
      await this.commit(partial, id, marker);
      return await this.entryFromMarker(marker);
    } finally {
      await rm(partial, { recursive: true, force: true });
      this.ownPartials.delete(partialName);
    }
  }

  /**
   * Imports a model folder that arrives as bytes (the Teach panel's trained model): the files go to
   * a partial folder of this store, then through the same checks as `importFrom`. The provenance
   * file travels with it into the cache (importFrom copies only the model and its labels).
   */
  async importFiles(files: readonly { name: string; bytes: Uint8Array }[], settings: ImportSettings = {}): Promise<ModelEntry> {
    if (!files.some((f) => f.name === 'model.json')) throw new ModelError('the model has no model.json.');
    const bad = files.find((f) => !isSafeFileName(f.name));
    if (bad) throw new ModelError(`“${bad.name}” is not a file name a model folder may hold.`);
    await mkdir(this.root, { recursive: true });
    const partialName = `${PARTIAL_PREFIX}upload-${randomBytes(6).toString('hex')}`;
    const partial = join(this.root, partialName);
    this.ownPartials.add(partialName);
    try {
      await mkdir(partial);
      for (const f of files) await writeFileAtomic(join(partial, f.name), f.bytes);
      const entry = await this.importFrom(partial, settings);
      const provenance = files.find((f) => f.name === PROVENANCE_FILE);
      if (provenance) await writeFileAtomic(join(this.root, entry.id, PROVENANCE_FILE), provenance.bytes);
      return entry;
    } finally {
      await rm(partial, { recursive: true, force: true });
      this.ownPartials.delete(partialName);
    }
  }

  /** Deletes an installed model from the cache (catalog models can be downloaded again). */
  async remove(id: string): Promise<void> {
    if (!isSafeModelId(id)) throw new ModelError(`“${id}” is not a model id.`);
    if (this.installing.has(id)) throw new ModelError(`“${id}” is being downloaded; cancel it first.`);
    const folder = join(this.root, id);
    const st = await stat(folder).catch(() => null);
    if (!st?.isDirectory()) throw new ModelError(`“${id}” is not installed.`);
    // Rename first so a crash mid-delete leaves a partial (cleaned later), never a half model.
    const doomed = join(this.root, `${PARTIAL_PREFIX}${id}-${randomBytes(6).toString('hex')}`);
    await rename(folder, doomed);
    this.opts.onChange?.();
    await rm(doomed, { recursive: true, force: true });
  }

  /** Removes stale partial folders; returns their names. */
  cleanPartials(): Promise<string[]> {
    return cleanPartials(this.userDataDir, this.ownPartials, this.opts.partialMaxAgeMs ?? 10 * 60_000);
  }

  /**
   * Writes the marker into the complete partial folder, then renames it into place: the model
   * appears in one step (a watcher on the cache root sees exactly that rename).
   */
  private async commit(partial: string, id: string, marker: InstalledMarker): Promise<void> {
    const final = join(this.root, id);
    await writeInstalledMarker(partial, marker);
    if (await stat(final).catch(() => null)) {
      const old = join(this.root, `${PARTIAL_PREFIX}${id}-${randomBytes(6).toString('hex')}`);
      await rename(final, old);
      await rm(old, { recursive: true, force: true });
    }
    await rename(partial, final);
    this.opts.onChange?.();
  }

  private async verifyInstalled(model: CatalogModel): Promise<boolean> {
    const marker = await readInstalledMarker(this.userDataDir, model.id);
    if (!marker || marker.files.length !== model.files.length) return false;
    for (const f of model.files) {
      if ((await sha256File(join(this.root, model.id, f.name)).catch(() => '')) !== f.sha256) return false;
    }
    return true;
  }

  private async catalogEntry(model: CatalogModel): Promise<ModelEntry> {
    const marker = await readInstalledMarker(this.userDataDir, model.id);
    const installed = marker !== null && marker.source === 'catalog';
    return {
      id: model.id,
      name: model.name,
      installed,
      url: installed ? modelJsonUrl(model.id) : null,
      sha256: model.files[0]?.sha256 ?? null,
      inputSize: model.inputSize,
      range: model.range,
      labels: [...model.labels],
      labelsSource: 'catalog',
      format: model.format,
      source: 'catalog',
      bytes: model.files.reduce((a, f) => a + f.bytes, 0),
    };
  }

  private async entryFromMarker(marker: InstalledMarker): Promise<ModelEntry> {
    let labels: string[] | null = null;
    if (marker.hasLabels) {
      const text = await readFile(join(this.root, marker.id, LABELS_FILE), 'utf8').catch(() => null);
      try {
        labels = text === null ? null : parseLabels(JSON.parse(text), LABELS_FILE);
      } catch {
        labels = null;
      }
    }
    // Imported before labels travelled with the model: a catalog model.json still gets the catalog's names.
    const catalog = labels ? null : catalogLabelsFor(marker.sha256);
    return {
      id: marker.id,
      name: marker.name,
      installed: true,
      url: modelJsonUrl(marker.id),
      sha256: marker.sha256,
      inputSize: marker.inputSize,
      range: marker.range,
      labels: labels ?? catalog?.labels ?? null,
      labelsSource: labels ? (marker.labelsSource ?? LABELS_FILE) : (catalog?.source ?? null),
      format: marker.format,
      source: marker.source,
      bytes: marker.files.reduce((a, f) => a + f.bytes, 0),
    };
  }

  /** `imported-<slug>`, reusing the id when the same model.json is imported again, else numbering. */
  private async freeImportId(slug: string, sha256: string): Promise<string> {
    for (let n = 1; n < 1000; n++) {
      const id = n === 1 ? `imported-${slug}` : `imported-${slug}-${n}`;
      const st = await stat(join(this.root, id)).catch(() => null);
      if (!st) return id;
      const marker = await readInstalledMarker(this.userDataDir, id);
      if (!marker || marker.sha256 === sha256) return id;
    }
    throw new ModelError(`too many imported models named “${slug}”; remove some first.`);
  }
}

/** Writes model.json, the shards and the labels from memory into `folder`; returns what was written. */
async function writePrepared(folder: string, prepared: PreparedModel): Promise<InstalledFile[]> {
  const { model, shardBytes } = prepared.folder;
  await writeFileAtomic(join(folder, 'model.json'), model.modelJsonBytes);
  const files: InstalledFile[] = [{ name: 'model.json', bytes: model.modelJsonBytes.byteLength, sha256: prepared.sha256 }];
  for (const [i, shard] of model.shards.entries()) {
    const bytes = shardBytes[i];
    if (!bytes) throw new ModelError(`shard “${shard.name}” was not read.`);
    await writeFileAtomic(join(folder, shard.name), bytes);
    files.push({ name: shard.name, bytes: bytes.byteLength, sha256: sha256Bytes(bytes) });
  }
  if (prepared.labels) {
    const bytes = Buffer.from(JSON.stringify(prepared.labels), 'utf8');
    await writeFileAtomic(join(folder, LABELS_FILE), bytes);
    files.push({ name: LABELS_FILE, bytes: bytes.byteLength, sha256: sha256Bytes(bytes) });
  }
  return files;
}
