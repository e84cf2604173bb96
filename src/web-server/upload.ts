/**
 * Upload bodies of `POST api/open`, read so a big non-image costs nothing: the declared length is
 * checked before reading, the first bytes are sniffed before the rest is accepted, the body lands
 * in one buffer of the declared size, and only a few uploads are held at once.
 */
import type { IncomingMessage } from 'node:http';

/** How much of an upload is looked at before the rest is accepted (SVG and text detection read 8 KiB). */
export const SNIFF_BYTES = 8192;

/** An upload read whole, or why it was refused (an HTTP status and a message for the user). */
export type Upload = { ok: true; bytes: Buffer } | { ok: false; status: number; error: string };

/** The declared body length: null when missing (chunked), NaN when not a number. */
export function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined) return null;
  return /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
}

/**
 * Reads exactly `length` bytes. Once the first `SNIFF_BYTES` (or the whole body, if shorter) are in,
 * `refuse` may return a message: the read stops there (415) and nothing more is buffered.
 */
export function readUpload(req: IncomingMessage, length: number, refuse: (head: Buffer) => string | null): Promise<Upload> {
  return new Promise((resolve) => {
    const headSize = Math.min(SNIFF_BYTES, length);
    let buf: Buffer = Buffer.alloc(headSize);
    let got = 0;
    let sniffed = false;
    const finish = (r: Upload) => {
      req.off('data', onData).off('end', onEnd).off('error', onEnd).off('aborted', onEnd);
      req.pause();
      resolve(r);
    };
    const take = (c: Buffer): Upload | null => {
      if (got + c.length > length) return { ok: false, status: 413, error: 'The upload is longer than it declared.' };
      if (!sniffed && got + c.length >= headSize) {
        sniffed = true;
        const why = refuse(Buffer.concat([buf.subarray(0, got), c]).subarray(0, headSize));
        if (why) return { ok: false, status: 415, error: why };
        // Only now the declared size is allocated, once, and the head moves into it.
        if (length > headSize) {
          const full = Buffer.allocUnsafe(length);
          buf.copy(full, 0, 0, got);
          buf = full;
        }
      }
      c.copy(buf, got);
      got += c.length;
      return got === length ? { ok: true, bytes: buf } : null;
    };
    const onData = (c: Buffer) => {
      const r = take(c);
      if (r) finish(r);
    };
    const onEnd = () => finish({ ok: false, status: 400, error: 'The upload ended before all its bytes arrived.' });
    if (length === 0) return resolve({ ok: true, bytes: Buffer.alloc(0) });
    req.on('data', onData).on('end', onEnd).on('error', onEnd).on('aborted', onEnd);
  });
}

/**
 * At most `active` uploads read and decoded at once, `waiting` more queued (their bodies stay in the
 * socket, unread); beyond that, `acquire` answers null and the caller refuses with 503.
 */
export class UploadGate {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly active: number,
    private readonly waiting: number,
  ) {}

  /** A release function once a slot is free; null when the queue is full too. */
  async acquire(): Promise<(() => void) | null> {
    if (this.running >= this.active) {
      if (this.queue.length >= this.waiting) return null;
      await new Promise<void>((ok) => this.queue.push(ok));
    } else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // The slot passes straight to the next waiter, so `running` only drops when none waits.
      if (next) next();
      else this.running--;
    };
  }
}
