/**
 * Undo/redo by recorded deltas (excalidraw-style): every document change is an action that
 * records only what it changed. Pixel changes are stored as the tiles that differ.
 */
import type { Rect, RgbaImage } from '../../core/image';

/** Where history moves tile data out of memory: OPFS in the renderer (history-store.ts), a folder in tests. */
export interface SpillStore {
  /** Writes the chunks, in order, as one record. */
  write(key: string, chunks: Uint8Array[]): Promise<void>;
  /** The record's bytes, as written. */
  read(key: string): Promise<Uint8Array>;
  remove(key: string): Promise<void>;
}

/** One undoable change to a document. */
export interface HistoryEntry<D> {
  label: string;
  /** Bytes this entry keeps alive, for the memory budget. */
  bytes: number;
  undo(doc: D): void;
  redo(doc: D): void;
  /** Moves the entry's data into `store` under `key` and frees it; absent: the entry always stays in memory. */
  spill?(store: SpillStore, key: string): Promise<void>;
  /** Reads spilled data back (history calls it before undo or redo). */
  unspill?(store: SpillStore, key: string): Promise<void>;
  /** Where undo and redo change pixels (recovery sends only these tiles); absent: anywhere. */
  changed?: readonly Rect[];
}

/** Tile edge used to find what changed. */
export const TILE = 128;

/** One tile of the grid and a version of its pixels (history keeps the other version; recovery sends the current one). */
export interface TilePatch {
  x: number;
  y: number;
  w: number;
  h: number;
  /** The tile's other version: "before" while the change is applied, "after" once undone. */
  data: Uint8ClampedArray;
}

/** The pixels of rectangle (x, y, w, h), inside the image, as a new tight array. */
export function copyRect(img: RgbaImage, x: number, y: number, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) out.set(img.data.subarray(((y + r) * img.width + x) * 4, ((y + r) * img.width + x + w) * 4), r * w * 4);
  return out;
}

function pasteRect(img: RgbaImage, x: number, y: number, w: number, h: number, src: Uint8ClampedArray): void {
  for (let r = 0; r < h; r++) img.data.set(src.subarray(r * w * 4, (r + 1) * w * 4), ((y + r) * img.width + x) * 4);
}

function rectDiffers(a: RgbaImage, b: RgbaImage, x: number, y: number, w: number, h: number): boolean {
  for (let r = 0; r < h; r++) {
    const o = ((y + r) * a.width + x) * 4;
    for (let i = o; i < o + w * 4; i++) if (a.data[i] !== b.data[i]) return true;
  }
  return false;
}

/** Grid tiles (TILE edge, clipped at the image edge) that intersect `within` (default: the whole image). */
export function tilesIn(width: number, height: number, within?: Rect): Rect[] {
  const r = within ?? { x: 0, y: 0, w: width, h: height };
  const x0 = Math.max(0, Math.floor(r.x / TILE) * TILE);
  const y0 = Math.max(0, Math.floor(r.y / TILE) * TILE);
  const x1 = Math.min(width, r.x + r.w);
  const y1 = Math.min(height, r.y + r.h);
  const tiles: Rect[] = [];
  for (let y = y0; y < y1; y += TILE) {
    for (let x = x0; x < x1; x += TILE) tiles.push({ x, y, w: Math.min(TILE, width - x), h: Math.min(TILE, height - y) });
  }
  return tiles;
}

/**
 * Tiles where `before` and `after` (same size) differ, holding the `before` version of each.
 * With `within`, only tiles intersecting it are compared: the caller promises nothing changed
 * outside it (a brush stroke knows its rectangle), which spares scanning the rest of the photo.
 */
export function diffTiles(before: RgbaImage, after: RgbaImage, within?: Rect): TilePatch[] {
  if (before.width !== after.width || before.height !== after.height) throw new Error('diffTiles needs images of one size.');
  const patches: TilePatch[] = [];
  for (const { x, y, w, h } of tilesIn(before.width, before.height, within)) {
    if (rectDiffers(before, after, x, y, w, h)) patches.push({ x, y, w, h, data: copyRect(before, x, y, w, h) });
  }
  return patches;
}

/** Something holding the current pixels, which pixel entries rewrite in place or replace. */
export interface PixelHolder {
  image: RgbaImage;
}

/**
 * Entry for a pixel change. Only changed tiles are kept, and only ONE version of each: undo and
 * redo both swap the stored tiles with the document's, so the other version is never held twice
 * (a linear history guarantees the document holds the right state at each swap).
 * Images of different size are kept whole. `within`: the rectangle the change is known to stay in.
 */
export function pixelEntry<D extends PixelHolder>(label: string, before: RgbaImage, after: RgbaImage, within?: Rect): HistoryEntry<D> {
  if (before.width !== after.width || before.height !== after.height) {
    let other: RgbaImage = { ...before, data: before.data.slice() };
    const swapWhole = (d: D) => {
      const current = d.image;
      d.image = other;
      other = current;
    };
    return { label, bytes: before.data.byteLength, undo: swapWhole, redo: swapWhole };
  }
  const patches = diffTiles(before, after, within);
  const changed = patches.map(({ x, y, w, h }) => ({ x, y, w, h }));
  const bytes = patches.reduce((s, p) => s + p.data.byteLength, 0);
  const spill = async (store: SpillStore, key: string) => {
    await store.write(key, patches.map((p) => new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
    for (const p of patches) p.data = new Uint8ClampedArray(0);
  };
  const unspill = async (store: SpillStore, key: string) => {
    const all = await store.read(key);
    if (all.byteLength !== bytes) throw new Error(`History data of “${label}” came back with ${all.byteLength} bytes instead of ${bytes}.`);
    // Views into the one buffer read: no copy.
    let o = 0;
    for (const p of patches) {
      p.data = new Uint8ClampedArray(all.buffer, all.byteOffset + o, p.w * p.h * 4);
      o += p.w * p.h * 4;
    }
  };
  const swap = (d: D) => {
    const img = { ...d.image, data: d.image.data.slice() };
    for (const p of patches) {
      const current = copyRect(img, p.x, p.y, p.w, p.h);
      pasteRect(img, p.x, p.y, p.w, p.h, p.data);
      p.data = current;
    }
    d.image = img;
  };
  return { label, bytes, undo: swap, redo: swap, spill, unspill, changed };
}

/** Options of History, with defaults beside them. */
export interface HistoryOptions {
  /** Bytes all steps may keep; the oldest steps are dropped past it. */
  budgetBytes: number;
  /** With a spill store: bytes kept in memory; older steps go to the store. */
  memoryBytes: number;
  /** With a spill store: bytes all steps may keep there and in memory together. */
  spilledBudgetBytes: number;
}

/**
 * Default budgets. 768 MiB in memory alone is about a dozen full-image steps on a 16 MP photo;
 * with a store, 96 MiB stay in memory (the latest full-image step, hundreds of brush strokes) and 3 GiB in all.
 */
export const defaultHistoryOptions: HistoryOptions = { budgetBytes: 768 * 2 ** 20, memoryBytes: 96 * 2 ** 20, spilledBudgetBytes: 3 * 2 ** 30 };

/**
 * Linear undo/redo stack with memory budgets: the oldest steps are dropped past the total budget,
 * and, once a spill store is attached, the steps furthest from the current state leave memory.
 * Undo and redo are async (a spilled step is read back first) and run one at a time, in order,
 * with the spills.
 */
export class History<D> {
  private done: HistoryEntry<D>[] = [];
  private undone: HistoryEntry<D>[] = [];
  private readonly opts: HistoryOptions;
  private store: SpillStore | null = null;
  /** False once a spill failed (store full or gone): spilled steps are still read back, nothing new goes there. */
  private spilling = false;
  /** Spilled entries and their keys. */
  private spilled = new Map<HistoryEntry<D>, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private nextKey = 0;
  /** Called once an entry's change is in the document: pushed, undone or redone (recovery snapshots listen). */
  onApply: ((entry: HistoryEntry<D>) => void) | null = null;

  constructor(budgetBytes?: number, opts: Partial<HistoryOptions> = {}) {
    this.opts = { ...defaultHistoryOptions, ...opts, ...(budgetBytes !== undefined ? { budgetBytes } : {}) };
  }

  /** Attaches a store: from now on steps beyond the memory budget are spilled to it. */
  useStore(store: SpillStore): void {
    this.store = store;
    this.spilling = true;
    this.trim();
    this.balance();
  }

  /** Records an entry whose change is already applied; clears redo. */
  push(entry: HistoryEntry<D>): void {
    this.done.push(entry);
    for (const e of this.undone) this.forget(e);
    this.undone = [];
    this.onApply?.(entry);
    this.trim();
    this.balance();
  }

  /** Reverts the latest entry; resolves to its label, or null when there is nothing to undo. */
  undo(doc: D): Promise<string | null> {
    return this.step(doc, 'undo');
  }

  /** Re-applies the latest undone entry; resolves to its label or null. */
  redo(doc: D): Promise<string | null> {
    return this.step(doc, 'redo');
  }

  /**
   * Moves the latest entry from one stack to the other and applies it. The stacks are looked up
   * again after the load: a push meanwhile replaces `undone`.
   */
  private step(doc: D, way: 'undo' | 'redo'): Promise<string | null> {
    const stacks = (): [HistoryEntry<D>[], HistoryEntry<D>[]] => (way === 'undo' ? [this.done, this.undone] : [this.undone, this.done]);
    return this.enqueue(async () => {
      const e = stacks()[0].at(-1);
      if (!e) return null;
      await this.load(e);
      const [from, to] = stacks();
      from.pop();
      e[way](doc);
      to.push(e);
      this.onApply?.(e);
      this.balance();
      return e.label;
    });
  }

  /** Clears everything (new document). */
  clear(): void {
    for (const e of [...this.done, ...this.undone]) this.forget(e);
    this.done = [];
    this.undone = [];
  }

  /** Resolves once queued spills, undos and redos are finished. */
  settled(): Promise<void> {
    return this.enqueue(() => Promise.resolve());
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
  /** The latest applied entry (identity marks a saved position), or null at the start. */
  get top(): HistoryEntry<D> | null {
    return this.done.at(-1) ?? null;
  }
  /** Bytes kept by all entries, in memory or spilled. */
  get bytes(): number {
    return [...this.done, ...this.undone].reduce((s, e) => s + e.bytes, 0);
  }
  /** Bytes kept in memory. */
  get residentBytes(): number {
    return [...this.done, ...this.undone].reduce((s, e) => s + (this.spilled.has(e) ? 0 : e.bytes), 0);
  }
  /** Labels of the undo stack, oldest first. */
  get labels(): string[] {
    return this.done.map((e) => e.label);
  }
  /** Labels of the redo stack, next redo first (the History panel lists them after the current step). */
  get redoLabels(): string[] {
    return this.undone.map((e) => e.label).reverse();
  }

  private holds(e: HistoryEntry<D>): boolean {
    return this.done.includes(e) || this.undone.includes(e);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private trim(): void {
    const budget = this.spilling ? this.opts.spilledBudgetBytes : this.opts.budgetBytes;
    while (this.bytes > budget && this.done.length > 1) this.forget(this.done.shift()!);
  }

  /** Drops an entry's spilled record, if any. */
  private forget(e: HistoryEntry<D>): void {
    const key = this.spilled.get(e);
    const store = this.store;
    if (key === undefined || !store) return;
    this.spilled.delete(e);
    void this.enqueue(() => store.remove(key)).catch(() => undefined);
  }

  private async load(e: HistoryEntry<D>): Promise<void> {
    const key = this.spilled.get(e);
    if (key === undefined || !this.store || !e.unspill) return;
    await e.unspill(this.store, key);
    this.spilled.delete(e);
    void this.store.remove(key).catch(() => undefined);
  }

  /** Queues spills of the entries furthest from the current state until memory is within budget. */
  private balance(): void {
    void this.enqueue(async () => {
      // Furthest first: the oldest undo steps, then the deepest redo steps; the nearest step of each stays.
      const candidates = [...this.done.slice(0, -1), ...this.undone.slice(0, -1)];
      for (const e of candidates) {
        const store = this.store;
        if (!store || !this.spilling || this.residentBytes <= this.opts.memoryBytes) return;
        if (this.spilled.has(e) || !e.spill || !this.holds(e)) continue;
        const key = `h${this.nextKey++}`;
        try {
          await e.spill(store, key);
        } catch {
          // A full or unavailable store: keep the rest in memory, under the in-memory budget.
          this.spilling = false;
          void store.remove(key).catch(() => undefined);
          this.trim();
          return;
        }
        // push() may have dropped the entry while it was being written.
        if (this.holds(e)) this.spilled.set(e, key);
        else void store.remove(key).catch(() => undefined);
      }
    });
  }
}
