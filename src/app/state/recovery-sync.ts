/**
 * Crash-recovery snapshots off the per-edit path: a snapshot is written once edits pause, and after
 * the first one of a document only the tiles changed since the previous snapshot go to the host
 * (history entries say which tiles they change), so a small edit on a big photo sends kilobytes.
 */
import type { Rect, RgbaImage } from '../../core/image';
import type { HostApi, RecoveryTile } from '../../host/host-contract';
import { copyRect, TILE, tilesIn } from './history';

/** Pause after the last edit before a snapshot is written. */
export const RECOVERY_DELAY_MS = 1500;

/** Above this share of the image in changed tiles, the whole image is sent instead (the host re-encodes it once). */
const WHOLE_SHARE = 0.5;

/** What snapshots need of the host. */
export type RecoveryHost = Pick<HostApi, 'saveRecovery' | 'saveRecoveryTiles' | 'clearRecovery'>;

/** The document as a snapshot shows it, read when the snapshot is written (null: nothing to save). */
export type RecoverySource = () => { image: RgbaImage; info: Parameters<HostApi['saveRecovery']>[1] } | null;

/** The current pixels of every grid tile touching `rects`, each tile once. */
export function changedTiles(image: RgbaImage, rects: readonly Rect[]): RecoveryTile[] {
  const cols = Math.ceil(image.width / TILE);
  const seen = new Set<number>();
  const tiles: RecoveryTile[] = [];
  for (const r of rects) {
    for (const t of tilesIn(image.width, image.height, r)) {
      const key = (t.y / TILE) * cols + t.x / TILE;
      if (seen.has(key)) continue;
      seen.add(key);
      tiles.push({ ...t, data: copyRect(image, t.x, t.y, t.w, t.h) });
    }
  }
  return tiles;
}

/** Debounced, incremental snapshots of one editor's document. */
export class RecoverySnapshots {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private source: RecoverySource | null = null;
  /** The host's latest snapshot as this side wrote it; null: the next snapshot sends the whole image. */
  private base: { id: string; width: number; height: number } | null = null;
  /** Rectangles changed since the latest snapshot; null: anywhere. */
  private dirty: Rect[] | null = null;
  /** Bumped by clear and reset, so a write finishing after them does not become the base. */
  private generation = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Pixel bytes handed to the host so far (what crosses to main). */
  sentBytes = 0;

  constructor(
    private readonly host: RecoveryHost,
    private readonly delayMs = RECOVERY_DELAY_MS,
  ) {}

  /** Notes pixels changed in `changed` (undefined: anywhere), e.g. from History.onApply. */
  touch(changed: readonly Rect[] | undefined): void {
    if (!changed) this.dirty = null;
    else this.dirty?.push(...changed);
  }

  /** Writes a snapshot of `source()` once calls pause for the delay (each call restarts the wait). */
  schedule(source: RecoverySource): void {
    this.source = source;
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
  }

  /** Writes a scheduled snapshot now (page hidden, tests); resolves once every write asked so far is done. */
  flush(): Promise<void> {
    this.cancelTimer();
    const source = this.source;
    this.source = null;
    const generation = this.generation;
    if (source) this.writing = this.writing.then(() => this.write(source, generation));
    return this.writing;
  }

  /** A new document: forgets the pending snapshot and the base (the next snapshot sends the whole image). */
  reset(): void {
    this.cancelTimer();
    this.source = null;
    this.generation++;
    this.base = null;
    this.dirty = null;
  }

  /** Drops the snapshot on the host, after any write in flight (document clean again, exported). */
  clear(): Promise<void> {
    this.reset();
    this.writing = this.writing.then(() => this.host.clearRecovery()).catch(() => undefined);
    return this.writing;
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One snapshot: tiles over the base where possible, else the whole image. Never throws. */
  private async write(source: RecoverySource, generation: number): Promise<void> {
    // Cleared or reset since it was asked for: that snapshot is no longer wanted.
    if (generation !== this.generation) return;
    const got = source();
    if (!got) return;
    const { image, info } = got;
    // What changes from here on belongs to the next snapshot.
    const dirty = this.dirty;
    this.dirty = [];
    const base = this.base;
    try {
      let id: string | null = null;
      if (base && dirty && base.width === image.width && base.height === image.height) {
        const tiles = changedTiles(image, dirty);
        const bytes = tiles.reduce((s, t) => s + t.data.byteLength, 0);
        if (bytes <= image.data.byteLength * WHOLE_SHARE) {
          id = await this.host.saveRecoveryTiles({ base: base.id, width: image.width, height: image.height, tiles }, info);
          this.sentBytes += bytes;
        }
      }
      if (id === null) {
        id = await this.host.saveRecovery(image, info);
        this.sentBytes += image.data.byteLength;
      }
      if (generation === this.generation) this.base = id === null ? null : { id, width: image.width, height: image.height };
    } catch {
      // What the host holds is unknown now: the next snapshot sends the whole image.
      if (generation === this.generation) {
        this.base = null;
        this.dirty = null;
      }
    }
  }
}
