/**
 * Downloads the files of a catalog model into a folder, verifying the size and SHA-256 of each as
 * it streams in. The caller owns the folder (a `.partial-*` one) and deletes it on any failure,
 * so nothing here ever leaves a half model where the cache would take it for installed.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostProgress } from '../host/host-contract';
import { AbortError } from '../core/job';
import type { CatalogModel } from './model-catalog';
import { type InstalledFile, ModelError } from './model-files';

type CatalogFile = CatalogModel['files'][number];

/** How a catalog download runs. */
export interface DownloadOptions {
  /** Folder above the model folders, e.g. https://storage.googleapis.com/tfjs-models/tfjs/ */
  baseUrl: string;
  signal?: AbortSignal;
  onProgress?: (p: HostProgress) => void;
  /** Injected for tests; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
  /** Files fetched at once: the model is 56 mostly tiny files, so latency dominates. */
  concurrency?: number;
  /** A file that receives nothing for this long fails as stalled. */
  stallTimeoutMs?: number;
}

/** Defaults of DownloadOptions. */
export const defaultDownloadOptions = { concurrency: 4, stallTimeoutMs: 30_000 } as const;

/** The URL of one catalog file under a base URL. */
export function catalogFileUrl(baseUrl: string, id: string, file: string): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(`${encodeURIComponent(id)}/${encodeURIComponent(file)}`, base);
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function errorCode(e: unknown): string | undefined {
  // undici wraps socket errors: TypeError('fetch failed', { cause: Error{code} }), sometimes nested twice.
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

type ByteReader = ReadableStreamDefaultReader<Uint8Array>;

/**
 * reader.read() raced against the signal: undici sometimes leaves the final read (the one that
 * would report `done`) pending forever when the request is aborted after the last byte arrived.
 */
function readOrAbort(reader: ByteReader, signal: AbortSignal): ReturnType<ByteReader['read']> {
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Downloads and verifies every file of `model` into `folder`; returns what was verified. */
export async function downloadCatalogFiles(model: CatalogModel, folder: string, opts: DownloadOptions): Promise<InstalledFile[]> {
  if (opts.signal?.aborted) throw new AbortError();
  return new CatalogDownload(model, folder, opts).run();
}

/** One catalog download: its files fetched by a few workers, sharing progress and the first error. */
class CatalogDownload {
  private readonly fetchImpl: typeof fetch;
  private readonly stallMs: number;
  private readonly total: number;
  private readonly host: string;
  /** Aborted on the user's abort, a stall or the first failure: it stops every sibling fetch. */
  private readonly inner = new AbortController();
  private readonly results: InstalledFile[];
  private done = 0;
  private lastReported = -1;
  private firstError: unknown = null;
  private next = 0;

  constructor(
    private readonly model: CatalogModel,
    private readonly folder: string,
    private readonly opts: DownloadOptions,
  ) {
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.stallMs = opts.stallTimeoutMs ?? defaultDownloadOptions.stallTimeoutMs;
    this.total = model.files.reduce((a, f) => a + f.bytes, 0);
    this.host = new URL(opts.baseUrl).host;
    this.results = new Array<InstalledFile>(model.files.length);
  }

  /** Runs the workers; throws the first failure, or AbortError when the user aborted. */
  async run(): Promise<InstalledFile[]> {
    const { opts, model } = this;
    const concurrency = Math.max(1, opts.concurrency ?? defaultDownloadOptions.concurrency);
    const onUserAbort = () => this.inner.abort();
    opts.signal?.addEventListener('abort', onUserAbort, { once: true });
    this.report(model.files[0]?.name ?? '', true);
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, model.files.length) }, () => this.worker()));
    } finally {
      opts.signal?.removeEventListener('abort', onUserAbort);
    }
    if (opts.signal?.aborted) throw new AbortError();
    if (this.firstError !== null) throw this.firstError;
    return this.results;
  }

  private report(label: string, force: boolean): void {
    // Progress crosses IPC: report every 64 KiB or at file boundaries, not every socket chunk.
    if (!this.opts.onProgress || (!force && this.done - this.lastReported < 65_536)) return;
    this.lastReported = this.done;
    this.opts.onProgress({ done: this.done, total: this.total, label });
  }

  private async worker(): Promise<void> {
    while (this.firstError === null && !this.inner.signal.aborted) {
      const index = this.next++;
      if (index >= this.model.files.length) return;
      try {
        await this.fetchOne(index);
      } catch (e) {
        // Only the first failure is the user's problem; the rest are siblings we aborted.
        if (this.firstError === null && !this.opts.signal?.aborted) this.firstError = e;
        this.inner.abort();
      }
    }
  }

  private async fetchOne(index: number): Promise<void> {
    const file = this.model.files[index];
    if (!file) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Recorded before aborting so the siblings' abort errors cannot take its place.
        this.firstError ??= new ModelError(
          `The download of “${file.name}” stalled (nothing received for ${Math.round(this.stallMs / 1000)} s); nothing was installed. Check your connection, then retry.`,
        );
        this.inner.abort();
      }, this.stallMs);
    };
    const handle = await open(join(this.folder, file.name), 'wx', 0o644);
    try {
      arm();
      const res = await this.request(file);
      const { received, sha256 } = await this.stream(res, file, handle, arm);
      if (received !== file.bytes) {
        throw new ModelError(`file “${file.name}” is incomplete (${received} of ${file.bytes} bytes received); nothing was installed. Retry to download again.`);
      }
      if (sha256 !== file.sha256) throw new ModelError(`file “${file.name}” is corrupted (checksum mismatch); nothing was installed.`);
      await handle.sync();
      this.results[index] = { name: file.name, bytes: file.bytes, sha256 };
      this.report(file.name, true);
    } finally {
      clearTimeout(timer);
      await handle.close().catch(() => undefined);
    }
  }

  /** The response for one file, or a one-line ModelError naming the host or the HTTP status. */
  private async request(file: CatalogFile): Promise<Response> {
    const url = catalogFileUrl(this.opts.baseUrl, this.model.id, file.name);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { signal: this.inner.signal, redirect: 'follow' });
    } catch (e) {
      if (this.inner.signal.aborted) throw e;
      const code = errorCode(e);
      throw new ModelError(
        `Could not reach ${this.host} to download ${this.model.name}${code && !unreachableCodes.has(code) ? ` (${code})` : ''}; check your connection, then retry.`,
      );
    }
    if (!res.ok) {
      throw new ModelError(`The server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for “${file.name}” (${url.href}); nothing was installed.`);
    }
    const announced = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(announced) && !res.headers.get('content-encoding') && announced !== file.bytes) {
      res.body?.cancel().catch(() => undefined);
      throw new ModelError(`file “${file.name}” is corrupted (the server has ${announced} bytes instead of ${file.bytes}); nothing was installed.`);
    }
    return res;
  }

  /** Streams the body into `handle`, hashing it; `arm` restarts the stall timer on every chunk. */
  private async stream(res: Response, file: CatalogFile, handle: FileHandle, arm: () => void): Promise<{ received: number; sha256: string }> {
    const hash = createHash('sha256');
    let received = 0;
    if (!res.body) return { received, sha256: hash.digest('hex') };
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done: end, value } = await readOrAbort(reader, this.inner.signal);
        if (end) break;
        arm();
        received += value.byteLength;
        if (received > file.bytes) {
          throw new ModelError(`file “${file.name}” is corrupted (more than the expected ${file.bytes} bytes); nothing was installed.`);
        }
        hash.update(value);
        await handle.write(value);
        this.done += value.byteLength;
        this.report(file.name, false);
      }
    } catch (e) {
      // Not awaited: cancelling a stream undici has wedged can itself wait forever.
      reader.cancel().catch(() => undefined);
      if (e instanceof ModelError || this.inner.signal.aborted) throw e;
      throw new ModelError(
        `The connection dropped while downloading “${file.name}” (${received} of ${file.bytes} bytes received); nothing was installed. Retry to download again.`,
      );
    }
    return { received, sha256: hash.digest('hex') };
  }
}
