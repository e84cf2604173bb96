/** Write faults root cannot cause for real (read-only folder, read-only disk, full disk), injected under the atomic writer. */
import { readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileWriteError, TEMP_FILE_PATTERN, writeFileAtomic } from '../../src/services/atomic-write';
import { tempDir } from './files-fixtures';

/** The errno code the next temp-file open fails with, or that a write fails with after `afterBytes`. */
const fault = vi.hoisted(() => ({ open: null as string | null, write: null as string | null, afterBytes: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const errno = (code: string, path: string) => Object.assign(new Error(`${code}: injected, open '${path}'`), { code, path });
  const open = async (...args: Parameters<typeof real.open>): Promise<FileHandle> => {
    const path = String(args[0]);
    if (!path.endsWith('.tmp')) return real.open(...args);
    if (fault.open) throw errno(fault.open, path);
    const h = await real.open(...args);
    const code = fault.write;
    if (!code) return h;
    let written = 0;
    // The disk fills up part-way: the first bytes land in the temp file, then writes fail.
    const failing = async (data: Uint8Array) => {
      if (written + data.byteLength > fault.afterBytes) {
        await h.write(data.subarray(0, Math.max(0, fault.afterBytes - written)));
        throw errno(code, path);
      }
      written += data.byteLength;
      return h.write(data);
    };
    return new Proxy(h, {
      get: (t, k) => (k === 'write' || k === 'writeFile' ? failing : Reflect.get(t, k, t)),
    });
  };
  return { ...real, default: { ...real, open }, open };
});

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('onirique-write-faults-'));
});
afterEach(() => Object.assign(fault, { open: null, write: null, afterBytes: 0 }));
afterAll(() => cleanup());

async function expectFailure(code: string, reason: string): Promise<void> {
  const target = join(dir, `${code}.png`);
  await writeFile(target, 'previous export');
  const err = await writeFileAtomic(target, new Uint8Array(1 << 20).fill(9)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FileWriteError);
  expect((err as FileWriteError).code).toBe(code);
  const msg = (err as Error).message;
  expect(msg).toBe(`Could not write “${target}”: ${reason}; nothing was changed.`);
  expect(msg).not.toMatch(/\.tmp|\n/);
  expect(await readFile(target, 'utf8')).toBe('previous export');
  expect((await readdir(dir)).filter((f) => TEMP_FILE_PATTERN.test(f))).toEqual([]);
}

describe('injected write faults', () => {
  it('a read-only folder (EACCES)', async () => {
    fault.open = 'EACCES';
    await expectFailure('EACCES', `permission denied: the folder “${dir}” is not writable`);
  });

  it('a read-only disk (EROFS)', async () => {
    fault.open = 'EROFS';
    await expectFailure('EROFS', 'the disk is read-only');
  });

  it('a disk that fills up midway (ENOSPC) keeps the previous file', async () => {
    fault.write = 'ENOSPC';
    fault.afterBytes = 300_000;
    await expectFailure('ENOSPC', 'the disk is full');
  });

  it('a failing data source keeps its own message', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error('encoder crashed');
    }
    await expect(writeFileAtomic(join(dir, 'src.png'), broken())).rejects.toThrow(/^encoder crashed$/);
    await rm(join(dir, 'src.png'), { force: true });
  });
});
