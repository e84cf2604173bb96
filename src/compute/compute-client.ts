/** UI side of the compute boundary: typed calls into the worker with progress and AbortSignal. */
import type { JobProgress } from '../core/job';
import type { CallMsg, ComputeOps, FromWorker, OpName, ToWorker } from './contract';
import { transferablesOf } from './contract';

/** Per-call options: cancellation and progress. */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

/** Error raised when a call was cancelled through its signal. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: JobProgress) => void;
}

/** Owns the single compute worker and routes its replies to callers. */
export class ComputeClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(private worker: Worker) {
    worker.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
    worker.onerror = (ev) => {
      const err = new Error(`Compute worker failed: ${ev.message}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  /** Calls an op; input buffers are transferred (the caller must not reuse them). */
  call<K extends OpName>(op: K, input: ComputeOps[K]['input'], opts: CallOptions = {}): Promise<ComputeOps[K]['result']> {
    const id = this.nextId++;
    if (opts.signal?.aborted) return Promise.reject(new CancelledError('Cancelled'));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true });
      const msg: CallMsg<K> = { type: 'call', id, op, input };
      this.post(msg);
    });
  }

  private post<K extends OpName>(msg: CallMsg<K> | Extract<ToWorker, { type: 'cancel' }>): void {
    this.worker.postMessage(msg, { transfer: transferablesOf(msg) });
  }

  private receive(msg: FromWorker): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.result);
    else p.reject(msg.aborted ? new CancelledError(msg.message) : new Error(msg.message));
  }
}

/** Starts the compute worker (a module worker bundled by Vite). */
export function startComputeWorker(): ComputeClient {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'onirique-compute' });
  return new ComputeClient(worker);
}
