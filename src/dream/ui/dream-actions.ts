/**
 * What the Dream panel does to the document: dream a stroke, the whole photo or where the model
 * sees a class, and erase. The document is cropped to the mask's bounding box plus a margin before
 * it goes to the worker (only that area is computed), the result is pasted back, and pixels and
 * mask change together in ONE custom history entry (undo restores both).
 */
import { transferCopy, type DocumentState, type Editor } from '../../app/state/editor.svelte';
import { pixelEntry } from '../../app/state/history';
import { crop, paste, type Rect, type RgbaImage } from '../../core/image';
import type { JobProgress } from '../../core/job';
import { t } from '../../app/i18n/i18n.svelte';
import '../dream-messages';
import { applyStroke, expandRect, type Stroke } from './brush';
import { dreamDocData, type DreamDocData, type DreamRecord } from './dream-doc.svelte';
import { cropMargin, dreamLabel, FEATHER, toDreamOptions, type DreamSettings } from './dream-settings';
import { cropPlane, eraseTowards } from './geometry';
import type { GuideImage } from './guide-image';
import type { DreamPanelState } from './panel-state.svelte';
import type { DreamPreview } from './preview.svelte';

/** Layer that shows the running dream's own previews over the area being computed. */
export const PROGRESS_LAYER = 'dream-progress';

/** The model a dream runs on. */
export interface DreamModel {
  id: string;
  sha256: string | null;
}

/** The model Dream runs on: the active one, or null when none is loaded. */
export function activeDreamModel(editor: Editor): DreamModel | null {
  const info = editor.models.active;
  return info ? { id: info.id, sha256: editor.models.activeEntry?.sha256 ?? null } : null;
}

/** Where to dream: a document-size 8-bit mask (null = everywhere) and its bounding box. */
interface DreamArea {
  mask: Uint8Array | null;
  bounds: Rect;
  /** Scales the mask's values (the brush opacity). */
  gain?: number;
}

/** Records an applied pixel change plus a mask change as one undo step. */
function commitWithMask(editor: Editor, doc: DocumentState, data: DreamDocData, record: DreamRecord, after: RgbaImage, updateMask: (mask: Uint8Array) => void): void {
  const { rect } = record;
  const { width: W, height: H } = doc.image;
  const maskBefore = cropPlane(data.mask, W, rect);
  updateMask(data.mask);
  const maskAfter = cropPlane(data.mask, W, rect);
  // The pixels changed only inside the crop that was dreamed or erased: only its tiles are compared.
  const px = pixelEntry<DocumentState>(record.label, doc.image, after, rect);
  doc.image = after;
  data.records.push(record);
  data.version++;
  const restore = (d: DocumentState, applied: boolean) => {
    if (applied) px.redo(d);
    else px.undo(d);
    if (data.width === W && data.height === H) {
      for (let y = 0; y < rect.h; y++) data.mask.set((applied ? maskAfter : maskBefore).subarray(y * rect.w, (y + 1) * rect.w), (rect.y + y) * W + rect.x);
    }
    record.applied = applied;
    data.version++;
  };
  editor.record({
    label: record.label,
    bytes: px.bytes + maskBefore.byteLength * 2,
    undo: (d) => restore(d, false),
    redo: (d) => restore(d, true),
    // The pixels may leave memory like any pixel step; the small mask crops stay.
    spill: px.spill,
    unspill: px.unspill,
    changed: px.changed,
  });
}

/**
 * Runs one dream job: `area` (computed inside the job, e.g. from Grad-CAM) says where; the crop
 * around it is dreamed and pasted back. Returns false when cancelled, failed, or overtaken by
 * another change to the document (then nothing is committed).
 */
async function dreamJob(
  editor: Editor,
  kind: DreamRecord['kind'],
  settings: DreamSettings,
  model: DreamModel,
  area: (signal: AbortSignal, onProgress: (p: JobProgress) => void) => Promise<DreamArea>,
  updateMask: (mask: Uint8Array, rect: Rect) => void,
  { className, guide = null }: { className?: string; guide?: GuideImage | null } = {},
): Promise<boolean> {
  const doc = editor.doc;
  if (!doc || editor.job) return false;
  const start = doc.image;
  const { width: W, height: H } = start;
  const base = className ? `${dreamLabel(settings, 'Dream')} where “${className}”` : dreamLabel(settings, kind === 'whole' ? 'Dream (whole photo)' : 'Dream');
  const label = guide ? `${base} guided by “${guide.name}”` : base;
  let rect: Rect = { x: 0, y: 0, w: W, h: H };
  const out = await editor
    .runJob(t('dream.job'), async (signal, onProgress) => {
      const where = await area(signal, onProgress);
      rect = expandRect(where.bounds, cropMargin(settings, start), W, H);
      const r = rect;
      const image = crop(start, r);
      const mask = where.mask ? cropPlane(where.mask, W, r, where.gain ?? 1) : null;
      return editor.compute.call(
        'dream',
        { image, mask, options: { ...toDreamOptions(settings, FEATHER, start), guide: guide?.image ?? null }, modelId: model.id },
        {
          signal,
          onProgress: (p) => {
            onProgress({ fraction: p.fraction, label: p.label });
            if (p.preview) editor.setLayer(PROGRESS_LAYER, { image: p.preview, x: r.x, y: r.y, w: r.w, h: r.h, opacity: 1, z: 11 });
          },
        },
      );
    })
    .finally(() => editor.setLayer(PROGRESS_LAYER, null));
  if (!out) return false;
  if (editor.doc !== doc || doc.image !== start) {
    editor.notify(t('dream.overtaken'));
    return false;
  }
  const data = dreamDocData(doc);
  const record: DreamRecord = { kind, label, settings: { ...settings }, rect, modelId: model.id, modelSha256: model.sha256, applied: true };
  if (className) record.className = className;
  if (guide) record.guide = guide.name;
  commitWithMask(editor, doc, data, record, paste(start, out, rect.x, rect.y), (m) => updateMask(m, rect));
  return true;
}

/** Dreams under a finished brush stroke (its coverage times the brush opacity is the mask), guided by `guide` when one is given. */
export function dreamStroke(editor: Editor, stroke: Stroke, settings: DreamSettings, model: DreamModel, guide: GuideImage | null = null): Promise<boolean> {
  const bounds = stroke.bounds;
  if (!bounds) return Promise.resolve(false);
  const { coverage, width: W, brush } = stroke;
  const area = { mask: coverage, bounds, gain: brush.opacity };
  return dreamJob(editor, 'stroke', settings, model, () => Promise.resolve(area), (m) => applyStroke(m, coverage, W, bounds, brush.opacity, false), { guide });
}

/** True when a dream can start: a document, a model and no job. */
export function canDream(editor: Editor): boolean {
  return editor.doc !== null && activeDreamModel(editor) !== null && editor.job === null;
}

/** The panel's "Dream the whole photo" (its button and the 'dream-whole' action): stops the preview, then dreams. */
export async function dreamWholePhoto(editor: Editor, panel: DreamPanelState, preview: DreamPreview): Promise<boolean> {
  const model = activeDreamModel(editor);
  if (!model || !canDream(editor)) return false;
  preview.stop();
  return dreamWhole(editor, panel.snapshot(), model, panel.guide);
}

/** Dreams the whole photo (the mask becomes everything), guided by `guide` when one is given. */
export function dreamWhole(editor: Editor, settings: DreamSettings, model: DreamModel, guide: GuideImage | null = null): Promise<boolean> {
  const img = editor.doc?.image;
  if (!img) return Promise.resolve(false);
  const bounds = { x: 0, y: 0, w: img.width, h: img.height };
  return dreamJob(editor, 'whole', settings, model, () => Promise.resolve({ mask: null, bounds }), (m) => m.fill(255), { guide });
}

/** "Dream where the model sees X": the normalised Grad-CAM map of class `classIndex` is the mask. */
export function dreamWhereSees(editor: Editor, settings: DreamSettings, model: DreamModel, classIndex: number, className: string): Promise<boolean> {
  const doc = editor.doc;
  if (!doc) return Promise.resolve(false);
  const { width: W, height: H } = doc.image;
  let camMask: Uint8Array | null = null;
  const area = async (signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<DreamArea> => {
    onProgress({ fraction: 0, label: t('dream.cam.running', { name: className }) });
    const cam = await editor.compute.call('gradcam', { modelId: model.id, image: transferCopy(doc.image), options: { classIndex, layer: 'auto' } }, { signal });
    // The full-resolution resampling into the mask runs in the worker; the CAM's buffer moves there.
    const { mask, bounds } = await editor.compute.call('camMask', { heat: cam.heat, width: cam.width, height: cam.height, docWidth: W, docHeight: H }, { signal });
    camMask = mask;
    if (!bounds) throw new Error(t('dream.cam.empty', { name: className }));
    return { mask, bounds };
  };
  return dreamJob(editor, 'cam', settings, model, area, (m, rect) => {
    if (camMask) applyStroke(m, camMask, W, rect, 1, false);
  }, { className });
}

/** The eraser: moves the stroke's area back to the opened photo and clears the mask there (one undo step, no worker). */
export function eraseStroke(editor: Editor, stroke: Stroke): boolean {
  const doc = editor.doc;
  const bounds = stroke.bounds;
  if (!doc || !bounds) return false;
  const { original, image } = doc;
  if (original.width !== image.width || original.height !== image.height) {
    editor.notify(t('dream.erase.sizeChanged'));
    return false;
  }
  const data = dreamDocData(doc);
  const { brush, coverage, width: W } = stroke;
  const label = t('dream.erase.history', { size: Math.round(brush.size) });
  const record: DreamRecord = { kind: 'erase', label, settings: null, rect: bounds, modelId: '', modelSha256: null, applied: true };
  commitWithMask(editor, doc, data, record, eraseTowards(image, original, coverage, bounds, brush.opacity), (m) => applyStroke(m, coverage, W, bounds, brush.opacity, true));
  return true;
}
