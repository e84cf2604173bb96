/**
 * Undo/redo by recorded deltas (excalidraw-style): every document change is an action that
 * records only what it changed. Pixel changes are stored as the tiles that differ.
 */
import type { Rgba } from '../worker/protocol';

/** One undoable change to a document. */
export interface HistoryEntry<D> {
  label: string;
  /** Bytes this entry keeps alive, for the memory budget. */
  bytes: number;
  undo(doc: D): void;
  redo(doc: D): void;
}

/** Tile edge used to find what changed. */
export const TILE = 128;

interface TilePatch {
  x: number;
  y: number;
  w: number;
  h: number;
  /** The tile's other version: "before" while the change is applied, "after" once undone. */
  data: Uint8ClampedArray;
}

function copyRect(img: Rgba, x: number, y: number, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) out.set(img.data.subarray(((y + r) * img.width + x) * 4, ((y + r) * img.width + x + w) * 4), r * w * 4);
  return out;
}

function pasteRect(img: Rgba, x: number, y: number, w: number, h: number, src: Uint8ClampedArray): void {
  for (let r = 0; r < h; r++) img.data.set(src.subarray(r * w * 4, (r + 1) * w * 4), ((y + r) * img.width + x) * 4);
}

function rectDiffers(a: Rgba, b: Rgba, x: number, y: number, w: number, h: number): boolean {
  for (let r = 0; r < h; r++) {
    const o = ((y + r) * a.width + x) * 4;
    for (let i = o; i < o + w * 4; i++) if (a.data[i] !== b.data[i]) return true;
  }
  return false;
}

/** Tiles where `before` and `after` (same size) differ, holding the `before` version of each. */
export function diffTiles(before: Rgba, after: Rgba): TilePatch[] {
  if (before.width !== after.width || before.height !== after.height) throw new Error('diffTiles needs images of one size.');
  const patches: TilePatch[] = [];
  for (let y = 0; y < before.height; y += TILE) {
    for (let x = 0; x < before.width; x += TILE) {
      const w = Math.min(TILE, before.width - x);
      const h = Math.min(TILE, before.height - y);
      if (rectDiffers(before, after, x, y, w, h)) patches.push({ x, y, w, h, data: copyRect(before, x, y, w, h) });
    }
  }
  return patches;
}

/** Something holding the current pixels, which pixel entries rewrite in place or replace. */
export interface PixelHolder {
  image: Rgba;
}

/**
 * Entry for a pixel change. Only changed tiles are kept, and only ONE version of each: undo and
 * redo both swap the stored tiles with the document's, so the other version is never held twice
 * (a linear history guarantees the document holds the right state at each swap).
 * Images of different size are kept whole.
 */
export function pixelEntry<D extends PixelHolder>(label: string, before: Rgba, after: Rgba): HistoryEntry<D> {
  if (before.width !== after.width || before.height !== after.height) {
    let other: Rgba = { ...before, data: before.data.slice() };
    const swapWhole = (d: D) => {
      const current = d.image;
      d.image = other;
      other = current;
    };
    return { label, bytes: before.data.byteLength, undo: swapWhole, redo: swapWhole };
  }
  const patches = diffTiles(before, after);
  const bytes = patches.reduce((s, p) => s + p.data.byteLength, 0);
  const swap = (d: D) => {
    const img = { ...d.image, data: d.image.data.slice() };
    for (const p of patches) {
      const current = copyRect(img, p.x, p.y, p.w, p.h);
      pasteRect(img, p.x, p.y, p.w, p.h, p.data);
      p.data = current;
    }
    d.image = img;
  };
  return { label, bytes, undo: swap, redo: swap };
}

/** Linear undo/redo stack with a memory budget: the oldest steps are dropped past it. */
export class History<D> {
  private done: HistoryEntry<D>[] = [];
  private undone: HistoryEntry<D>[] = [];

  // 768 MiB: about a dozen full-image steps on a 16 MP photo, hundreds of brush strokes.
  constructor(private budgetBytes = 768 * 1024 * 1024) {}

  /** Records an entry whose change is already applied; clears redo. */
  push(entry: HistoryEntry<D>): void {
    this.done.push(entry);
    this.undone = [];
    while (this.bytes > this.budgetBytes && this.done.length > 1) this.done.shift();
  }

  /** Reverts the latest entry; returns its label or null when there is nothing to undo. */
  undo(doc: D): string | null {
    const e = this.done.pop();
    if (!e) return null;
    e.undo(doc);
    this.undone.push(e);
    return e.label;
  }

  /** Re-applies the latest undone entry; returns its label or null. */
  redo(doc: D): string | null {
    const e = this.undone.pop();
    if (!e) return null;
    e.redo(doc);
    this.done.push(e);
    return e.label;
  }

  /** Clears everything (new document). */
  clear(): void {
    this.done = [];
    this.undone = [];
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
  /** Bytes kept by all entries. */
  get bytes(): number {
    return [...this.done, ...this.undone].reduce((s, e) => s + e.bytes, 0);
  }
  /** Labels of the undo stack, oldest first. */
  get labels(): string[] {
    return this.done.map((e) => e.label);
  }
}
