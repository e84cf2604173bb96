/** What every long compute function accepts besides its input and options, and how an op is typed. */
import type { RgbaImage } from './image';

/** Progress of a running job, 0..1, with a short label; `preview` is an optional intermediate image (Deep Dream's steps). */
export interface JobProgress {
  fraction: number;
  label: string;
  preview?: RgbaImage;
  /** Named numbers of the step just done (Teach: one epoch's losses and accuracies), for live charts. */
  metrics?: Readonly<Record<string, number>>;
}

/** Cancellation and progress hooks; both optional so pure calls stay simple. */
export interface JobContext {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

/** One op of the compute worker: what it takes and what it answers. */
export interface OpSpec<I, R> {
  input: I;
  result: R;
}

/** The handlers serving a map of ops (name → OpSpec), one per name, typed from the map. */
export type OpHandlers<Ops extends Record<keyof Ops, OpSpec<unknown, unknown>>> = { [K in keyof Ops]: (input: Ops[K]['input'], ctx: JobContext) => Promise<Ops[K]['result']> };

/** Error thrown when a job stops because its signal was aborted. */
export class AbortError extends Error {
  override name = 'AbortError';
  constructor() {
    super('Cancelled');
  }
}

/** Throws AbortError between steps when the job was cancelled. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}
