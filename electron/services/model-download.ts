/**
 * Downloads the files of a catalog model into a folder, verifying the size and SHA-256 of each as
 * it streams in. The caller owns the folder (a `.partial-*` one) and deletes it on any failure,
 * so nothing here ever leaves a half model where the cache would take it for installed.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostProgress } from '../ipc-contract';
import { AbortError } from '../../renderer/worker/compute/job';
import type { CatalogModel } from './model-catalog';
import { type InstalledFile, ModelError } from './model-files';

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
  const fetchImpl = opts.fetchImpl ?? fetch;
  const concurrency = Math.max(1, opts.concurrency ?? defaultDownloadOptions.concurrency);
  const stallMs = opts.stallTimeoutMs ?? defaultDownloadOptions.stallTimeoutMs;
  const total = model.files.reduce((a, f) => a + f.bytes, 0);
  const host = new URL(opts.baseUrl).host;
  const inner = new AbortController();
  const onUserAbort = () => inner.abort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (opts.signal?.aborted) throw new AbortError();

  let done = 0;
  let lastReported = -1;
  const report = (label: string, force: boolean) => {
    // Progress crosses IPC: report every 64 KiB or at file boundaries, not every socket chunk.
    if (!opts.onProgress || (!force && done - lastReported < 65_536)) return;
    lastReported = done;
    opts.onProgress({ done, total, label });
  };
  report(model.files[0]?.name ?? '', true);

  let firstError: unknown = null;
  const results: InstalledFile[] = new Array<InstalledFile>(model.files.length);
  let next = 0;

  const fetchOne = async (index: number): Promise<void> => {
    const file = model.files[index];
    if (!file) return;
    const url = catalogFileUrl(opts.baseUrl, model.id, file.name);
    let received = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Recorded before aborting so the siblings' abort errors cannot take its place.
        firstError ??= new ModelError(
          `The download of “${file.name}” stalled (nothing received for ${Math.round(stallMs / 1000)} s); nothing was installed. Check your connection, then retry.`,
        );
        inner.abort();
      }, stallMs);
    };
    const handle = await open(join(folder, file.name), 'wx', 0o644);
    try {
      arm();
      let res: Response;
      try {
        res = await fetchImpl(url, { signal: inner.signal, redirect: 'follow' });
      } catch (e) {
        if (inner.signal.aborted) throw e;
        const code = errorCode(e);
        throw new ModelError(
          `Could not reach ${host} to download ${model.name}${code && !unreachableCodes.has(code) ? ` (${code})` : ''}; check your connection, then retry.`,
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
      const hash = createHash('sha256');
      if (res.body) {
        const reader = res.body.getReader();
        try {
          for (;;) {
            const { done: end, value } = await readOrAbort(reader, inner.signal);
            if (end) break;
            arm();
            received += value.byteLength;
            if (received > file.bytes) {
              throw new ModelError(`file “${file.name}” is corrupted (more than the expected ${file.bytes} bytes); nothing was installed.`);
            }
            hash.update(value);
            await handle.write(value);
            done += value.byteLength;
            report(file.name, false);
          }
        } catch (e) {
          // Not awaited: cancelling a stream undici has wedged can itself wait forever.
          reader.cancel().catch(() => undefined);
          if (e instanceof ModelError || inner.signal.aborted) throw e;
          throw new ModelError(
            `The connection dropped while downloading “${file.name}” (${received} of ${file.bytes} bytes received); nothing was installed. Retry to download again.`,
          );
        }
      }
      if (received !== file.bytes) {
        throw new ModelError(`file “${file.name}” is incomplete (${received} of ${file.bytes} bytes received); nothing was installed. Retry to download again.`);
      }
      const sha256 = hash.digest('hex');
      if (sha256 !== file.sha256) throw new ModelError(`file “${file.name}” is corrupted (checksum mismatch); nothing was installed.`);
      await handle.sync();
      results[index] = { name: file.name, bytes: file.bytes, sha256 };
      report(file.name, true);
    } finally {
      clearTimeout(timer);
      await handle.close().catch(() => undefined);
    }
  };

  const worker = async () => {
    while (firstError === null && !inner.signal.aborted) {
      const index = next++;
      if (index >= model.files.length) return;
      try {
        await fetchOne(index);
      } catch (e) {
        // Only the first failure is the user's problem; the rest are siblings we aborted.
        if (firstError === null && !opts.signal?.aborted) firstError = e;
        inner.abort();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, model.files.length) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', onUserAbort);
  }
  if (opts.signal?.aborted) throw new AbortError();
  if (firstError !== null) throw firstError;
  return results;
}
