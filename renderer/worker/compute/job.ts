/** What every long compute function accepts besides its input and options. */

/** Progress of a running job, 0..1, with a short label. */
export interface JobProgress {
  fraction: number;
  label: string;
}

/** Cancellation and progress hooks; both optional so pure calls stay simple. */
export interface JobContext {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

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
