/** One-line messages for failed writes that name the user's file, never the hidden temp file beside it. */
import { dirname } from 'node:path';

/** A write that failed; the message names the target and says why in words, `code` keeps the errno code. */
export class FileWriteError extends Error {
  override name = 'FileWriteError';
  /** The errno code (EACCES, ENOSPC, ...). */
  readonly code: string;
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

const reasons: Record<string, (dir: string) => string> = {
  EACCES: (dir) => `permission denied: the folder “${dir}” is not writable`,
  EPERM: (dir) => `permission denied: the folder “${dir}” is not writable`,
  EROFS: () => 'the disk is read-only',
  EISDIR: () => 'it is a folder',
  ENOENT: (dir) => `the folder “${dir}” does not exist`,
  ENOTDIR: (dir) => `“${dir}” is not a folder`,
  ENOSPC: () => 'the disk is full',
  EDQUOT: () => 'the disk quota is used up',
  ENAMETOOLONG: () => 'the name is too long',
  EMFILE: () => 'too many files are open',
};

/**
 * Turns a file-system error of a write to `target` into a FileWriteError with one line naming
 * `target`; errors without an errno code (a failing data source) are returned unchanged.
 */
export function describeWriteError(e: unknown, target: string): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (e instanceof FileWriteError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const reason = reasons[code]?.(dirname(target)) ?? `error ${code}`;
  // The writer only ever replaces the file whole, so a failure leaves what was there.
  return new FileWriteError(`Could not write “${target}”: ${reason}; nothing was changed.`, code, { cause: e });
}
