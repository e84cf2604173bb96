/**
 * The Dream panel's "Dream zoom": the worker dreams every frame of the infinite zoom (progress with
 * frame, step and ETA; Cancel through the job), then the host encodes them as a looping animated
 * WebP or GIF. A cancelled or failed run saves nothing; the document is never changed.
 */
import { transferCopy, type Editor } from '../../app/state/editor.svelte';
import type { AnimationFormat } from '../../host/host-contract';
import { t } from '../../app/i18n/i18n.svelte';
import '../dream-messages';
import type { ZoomOptions } from '../compute/zoom';
import { PROGRESS_LAYER, type DreamModel } from './dream-actions';
import { FEATHER, toDreamOptions, type DreamSettings } from './dream-settings';
import type { GuideImage } from './guide-image';

/** What the zoom section asks for besides the dream settings. */
export interface ZoomRequest {
  zoom: ZoomOptions;
  delayMs: number;
  format: AnimationFormat;
}

/** The zoom section's defaults: a short clip that stays quick on a laptop. */
export const defaultZoomRequest: ZoomRequest = { zoom: { frames: 10, zoom: 1.05 }, delayMs: 100, format: 'webp' };

/** The file's settings: the dream's (as `onirique:dream`, so "Restore these settings" reads them), the zoom's and the model's. */
function zoomMetadata(name: string, settings: DreamSettings, model: DreamModel, req: ZoomRequest, guide: GuideImage | null): Record<string, string> {
  const meta: Record<string, string> = {
    'onirique:source': name,
    'onirique:dream': JSON.stringify([settings]),
    'onirique:zoom': String(req.zoom.zoom),
    'onirique:frames': String(req.zoom.frames),
    'onirique:model': model.id,
  };
  if (model.sha256) meta['onirique:model-sha256'] = model.sha256;
  if (guide) meta['onirique:guide'] = guide.name;
  return meta;
}

/** Runs the zoom on the open photo and saves the animation; false when cancelled, failed or not saved. */
export async function runDreamZoom(editor: Editor, settings: DreamSettings, model: DreamModel, req: ZoomRequest, guide: GuideImage | null = null): Promise<boolean> {
  const doc = editor.doc;
  if (!doc || editor.job) return false;
  const start = doc.image;
  const { width: w, height: h } = start;
  const frames = await editor
    .runJob(t('dream.zoom.job'), (signal, onProgress) =>
      editor.compute.call(
        'dreamZoom',
        { image: transferCopy(start), options: { ...toDreamOptions(settings, FEATHER, start), guide: guide?.image ?? null }, zoom: req.zoom, modelId: model.id },
        {
          signal,
          onProgress: (p) => {
            onProgress({ fraction: p.fraction, label: p.label });
            if (p.preview) editor.setLayer(PROGRESS_LAYER, { image: p.preview, x: 0, y: 0, w, h, opacity: 1, z: 11 });
          },
        },
      ),
    )
    .finally(() => editor.setLayer(PROGRESS_LAYER, null));
  if (!frames || frames.length === 0) return false;
  const stem = doc.name.replace(/\.[^.]+$/, '');
  const res = await editor.host.exportAnimation({
    frames,
    delayMs: req.delayMs,
    format: req.format,
    suggestedName: `${stem}-dream-zoom.${req.format}`,
    metadata: zoomMetadata(doc.name, settings, model, req, guide),
  });
  if (!res) return false;
  if (!res.ok) {
    editor.fail(res.error);
    return false;
  }
  editor.notify(t('dream.zoom.saved', { frames: frames.length, name: res.value.name }));
  return true;
}
