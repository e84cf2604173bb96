/**
 * The debounce-and-cancel machinery shared by the panels' live previews: a request waits for a
 * quiet moment, a newer one cancels the running one, and only the latest run may draw its layers.
 * Previews never touch the document or its history.
 */
import { CancelledError } from '../compute/compute-client';
import type { Editor } from './state/editor.svelte';

/** One run's handles: its abort signal and whether it is still the latest run. */
export interface PreviewRun {
  signal: AbortSignal;
  live(): boolean;
}

/** Base of a panel's preview controller; subclasses draw one request in `render`. */
export abstract class LivePreview<R> {
  /** The user's toggle. */
  enabled = $state(true);
  status: 'idle' | 'busy' | 'ready' | 'error' = $state('idle');
  detail: string | null = $state(null);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private controller: AbortController | null = null;
  private generation = 0;

  constructor(
    protected readonly editor: Editor,
    private readonly layers: readonly string[],
    private readonly debounceMs: number,
  ) {}

  /** Draws one request; resolves to the status detail to show (null: none). */
  protected abstract render(req: R, run: PreviewRun): Promise<string | null>;
  /** The message shown when a run fails. */
  protected abstract failed(error: string): string;

  /** Cancels any pending or running preview and removes its layers. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
    this.controller = null;
    this.generation++;
    for (const name of this.layers) if (name in this.editor.layers) this.editor.setLayer(name, null);
    if (this.status !== 'idle') this.status = 'idle';
    if (this.detail !== null) this.detail = null;
  }

  /** Runs a preview after the debounce delay, replacing any pending one. */
  schedule(req: R): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run(req);
    }, this.debounceMs);
  }

  private async run(req: R): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const gen = ++this.generation;
    const live = () => gen === this.generation;
    this.status = 'busy';
    this.detail = null;
    try {
      const detail = await this.render(req, { signal: controller.signal, live });
      if (!live()) return;
      this.status = 'ready';
      this.detail = detail;
    } catch (e) {
      if (!live() || e instanceof CancelledError || controller.signal.aborted) return;
      this.status = 'error';
      this.detail = this.failed(e instanceof Error ? e.message : String(e));
    }
  }
}
