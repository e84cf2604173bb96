/**
 * Per-document dream data: the painted mask (8-bit, document size) and the dreams applied, kept
 * beside the document so undo/redo entries restore the mask with the pixels and the export can
 * list the parameters of every dream still in the picture.
 */
import type { DocumentState, Editor } from '../../app/state/editor.svelte';
import type { DreamSettings } from './dream-settings';
import type { Rect } from '../../core/image';

/** One dream (or erase) as it went into the history. */
export interface DreamRecord {
  kind: 'stroke' | 'erase' | 'whole' | 'cam';
  label: string;
  /** Slider values at the time (null for the eraser). */
  settings: DreamSettings | null;
  /** Part of the document computed (bounding box of the mask plus margin). */
  rect: Rect;
  /** Class whose Grad-CAM map was the mask ('cam' only). */
  className?: string;
  /** File name of the guide image of a guided dream. */
  guide?: string;
  modelId: string;
  modelSha256: string | null;
  /** False while the entry is undone. */
  applied: boolean;
}

/** The dream state of one document. */
export class DreamDocData {
  mask: Uint8Array;
  readonly records: DreamRecord[] = [];
  /** Bumped whenever the mask changes (stroke, undo, redo) so the overlay redraws. */
  version = $state(0);

  constructor(
    public width: number,
    public height: number,
  ) {
    this.mask = new Uint8Array(width * height);
  }

  /** Makes sure the mask matches the document's size (a size-changing filter resets it). */
  fit(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.mask = new Uint8Array(width * height);
    this.version++;
  }
}

const store = new WeakMap<DocumentState, DreamDocData>();

/** The dream data of a document (created empty on first use). */
export function dreamDocData(doc: DocumentState): DreamDocData {
  let d = store.get(doc);
  if (!d) {
    d = new DreamDocData(doc.image.width, doc.image.height);
    store.set(doc, d);
  }
  d.fit(doc.image.width, doc.image.height);
  return d;
}

/**
 * PNG text entries describing the dreams in the current picture: `onirique:dream` (JSON list of
 * each applied dream's parameters) and `onirique:model-sha256`. Empty when nothing was dreamed.
 */
export function dreamMetadata(editor: Editor): Record<string, string> {
  const doc = editor.doc;
  const data = doc ? store.get(doc) : undefined;
  const applied = data?.records.filter((r) => r.applied && r.kind !== 'erase') ?? [];
  if (applied.length === 0) return {};
  const list = applied.map((r) => ({
    kind: r.kind,
    label: r.label,
    ...(r.settings ?? {}),
    rect: r.rect,
    ...(r.className ? { class: r.className } : {}),
    ...(r.guide ? { guide: r.guide } : {}),
    model: r.modelId,
    modelSha256: r.modelSha256,
  }));
  const shas = [...new Set(applied.map((r) => r.modelSha256 ?? 'unknown'))];
  return { 'onirique:dream': JSON.stringify(list), 'onirique:model-sha256': shas.join(',') };
}
