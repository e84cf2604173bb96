/** The Explain panel's state and actions: classify, CAM, overlay, burn-in, exports, feature maps. */
import type { ExportBytesKind, HostResult, ExportResult } from '../../../electron/ipc-contract';
import { t } from '../../i18n/i18n.svelte';
import '../../i18n/messages-explain';
import { transferCopy, type DocumentState, type Editor } from '../../state/editor.svelte';
import type { Rgba } from '../../worker/protocol';
import { perEditor } from '../../state/per-editor';
import { overlay, type ColormapName } from '../../worker/compute/explain/colormap';
import type { ClassScore } from '../../worker/compute/explain/explain';
import type { FeatureMapsOpResult } from '../../worker/compute/explain/explain-ops';
import { defaultExplainOptions, type CamMethod, type FitMode } from '../../worker/compute/explain/explain-options';
import { camCsv, camFileName, camNpy, camParams, camPng16, type CamExportKind, type CamRecord, type OverlayLook } from './cam-export';
import { burnIn, type RgbaPixels } from './overlay-view';

/** A CAM result as the panel keeps it: the record to export plus the photo it was computed on. */
export interface CamView extends CamRecord {
  /** The document pixels the CAM was computed on (document images are replaced, never mutated). */
  photo: Rgba;
  /** Guided Grad-CAM picture at the photo's size (method 'guided'). */
  guided: RgbaPixels | null;
  /** Size of the CAM grid on the target layer, e.g. 7×7. */
  grid: [number, number];
  /** Number of network views (tiles) the map was averaged from. */
  views: number;
}

/** A feature-map grid with the layer it shows. */
export interface FeatureMapView extends FeatureMapsOpResult {
  layer: string;
  gap: number;
}

/** Default Score-CAM channel count, from the engine's defaults. */
const SCORECAM_CHANNELS = defaultExplainOptions.scoreCamChannels;

/** State of the Explain panel for one editor; it outlives the panel so switching tabs keeps the results. */
export class ExplainState {
  method: CamMethod = $state('gradcam');
  /** Target layer name or 'auto' (the model's last conv layer). */
  layer = $state('auto');
  fit: FitMode = $state('resize');
  tilesAcross = $state(defaultExplainOptions.tilesAcross);
  smooth = $state(false);
  scoreCamChannels = $state(SCORECAM_CHANNELS);
  /** Class the CAM explains: a class id, or 'auto' for the top-1 class. */
  target: number | 'auto' = $state('auto');

  colormap: ColormapName = $state('jet');
  opacity = $state(0.5);
  visible = $state(true);
  /** For guided Grad-CAM: show the guided picture (true) or the heat colours (false). */
  showGuided = $state(true);

  top: ClassScore[] | null = $state.raw(null);
  classifying = $state(false);
  classifyError: string | null = $state(null);
  cam: CamView | null = $state.raw(null);
  exporting = $state(false);

  fmLayer = $state('auto');
  fmChannels = $state(64);
  fm: FeatureMapView | null = $state.raw(null);

  /** The document the results belong to. */
  doc: DocumentState | null = null;
  private classifyKey = '';
  private classifySeq = 0;
  private imageKeys = new WeakMap<Rgba, number>();
  private nextImageKey = 1;

  constructor(private editor: Editor) {}

  /** Forgets results of another document. */
  adoptDocument(doc: DocumentState | null): void {
    if (doc === this.doc) return;
    this.doc = doc;
    this.top = null;
    this.cam = null;
    this.fm = null;
    this.target = 'auto';
    this.classifyKey = '';
    this.classifyError = null;
  }

  private imageKey(img: Rgba): number {
    let k = this.imageKeys.get(img);
    if (k === undefined) {
      k = this.nextImageKey++;
      this.imageKeys.set(img, k);
    }
    return k;
  }

  /** Classifies the document unless the same pixels, model and fit were classified already. */
  async classifyIfStale(): Promise<void> {
    const doc = this.editor.doc;
    const model = this.editor.models.active;
    if (!doc || !model) return;
    // Tiles classify the whole photo resized, as the engine does.
    const fit = this.fit === 'tiles' ? 'resize' : this.fit;
    const key = `${model.id}|${fit}|${this.imageKey(doc.image)}`;
    if (key === this.classifyKey) return;
    this.classifyKey = key;
    const seq = ++this.classifySeq;
    this.classifying = true;
    this.classifyError = null;
    try {
      const r = await this.editor.compute.call('classify', { modelId: model.id, image: transferCopy(doc.image), options: { fit, topK: 5 } });
      if (seq === this.classifySeq) this.top = r.top;
    } catch (e) {
      if (seq === this.classifySeq) {
        this.classifyError = e instanceof Error ? e.message : String(e);
        this.classifyKey = '';
      }
    } finally {
      if (seq === this.classifySeq) this.classifying = false;
    }
  }

  /** Label of a class id in the loaded model. */
  labelOf(index: number): string {
    return this.editor.models.active?.labels[index] ?? t('explain.classN', { n: index });
  }

  /** The class id the next CAM explains (the top-1 when the target is 'auto'), or null before classifying. */
  get targetIndex(): number | null {
    return this.target === 'auto' ? (this.top?.[0]?.index ?? null) : this.target;
  }

  /** Computes the CAM of the target class as one cancellable job; the overlay appears when it is done. */
  async run(): Promise<boolean> {
    const doc = this.editor.doc;
    const models = this.editor.models;
    const info = models.active;
    const entry = models.activeEntry;
    if (!doc || !info || !entry || this.editor.job) return false;
    const photo = doc.image;
    const options = {
      method: this.method,
      classIndex: this.target,
      layer: this.layer,
      fit: this.fit,
      tilesAcross: this.tilesAcross,
      smooth: this.smooth,
      scoreCamChannels: this.scoreCamChannels,
    };
    const r = await this.editor.runJob(t('explain.job', { method: t(`explain.method.${this.method}`) }), (signal, onProgress) =>
      this.editor.compute.call('gradcam', { modelId: info.id, image: transferCopy(photo), options }, { signal, onProgress }),
    );
    if (!r || this.editor.doc !== doc) return false;
    this.cam = {
      settings: { method: r.method, layer: r.layer, fit: options.fit, tilesAcross: options.tilesAcross, smooth: options.smooth, scoreCamChannels: options.scoreCamChannels },
      classIndex: r.classIndex,
      label: r.label,
      prob: r.prob,
      width: r.width,
      height: r.height,
      raw: r.raw,
      heat: r.heat,
      model: { id: entry.id, name: entry.name, sha256: entry.sha256 },
      source: doc.name,
      photo,
      guided: r.guided ?? null,
      grid: [r.grid.width, r.grid.height],
      views: r.views.length,
    };
    this.visible = true;
    return true;
  }

  /** True when the guided picture (not the heat colours) is what the overlay shows. */
  get guidedShown(): boolean {
    return this.cam?.guided != null && this.showGuided;
  }

  private look(): OverlayLook {
    return this.guidedShown ? null : { colormap: this.colormap, alpha: this.opacity };
  }

  /** Burns the overlay as shown into the photo: one undo step; the view layer is hidden so it is not doubled. */
  burnIn(): void {
    const doc = this.editor.doc;
    const cam = this.cam;
    if (!doc || !cam || this.editor.job || doc.image.width !== cam.width || doc.image.height !== cam.height) return;
    const out = burnIn(doc.image, cam.heat, this.colormap, this.opacity, this.guidedShown ? cam.guided : null);
    this.editor.commit(t('explain.history.burn', { method: t(`explain.method.${cam.settings.method}`), label: cam.label }), out);
    this.visible = false;
  }

  private report(r: HostResult<ExportResult> | null): void {
    if (!r) return;
    if (r.ok) this.editor.notice = t('explain.exported', { name: r.value.name, kib: Math.round(r.value.bytes / 1024) });
    else this.editor.error = t('explain.exportFailed', { error: r.error });
  }

  /** Writes one export of the current CAM through the host (save dialog, atomic write). */
  async export(kind: CamExportKind): Promise<void> {
    const cam = this.cam;
    const doc = this.editor.doc;
    if (!cam || !doc || this.exporting) return;
    this.exporting = true;
    try {
      if (kind === 'overlay') {
        const look = this.look();
        const image = look ? overlay(cam.photo, { width: cam.width, height: cam.height, data: cam.heat }, look.colormap, look.alpha) : cam.guided!;
        this.report(
          await this.editor.host.exportImage({
            image: { ...image, data: image.data.slice() },
            format: 'png',
            suggestedName: camFileName(cam, 'overlay'),
            metadata: camParams(cam, look),
            sourceDocId: doc.docId,
          }),
        );
        return;
      }
      const bytes = kind === 'png16' ? await camPng16(cam) : kind === 'npy' ? camNpy(cam) : camCsv(cam);
      const hostKind: ExportBytesKind = kind;
      this.report(await this.editor.host.exportBytes({ bytes, suggestedName: camFileName(cam, kind), kind: hostKind }));
    } catch (e) {
      this.editor.error = t('explain.exportFailed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.exporting = false;
    }
  }

  /** Computes the feature-map grid of the chosen layer. */
  async featureMaps(): Promise<void> {
    const doc = this.editor.doc;
    const info = this.editor.models.active;
    if (!doc || !info || this.editor.job) return;
    const gap = 1;
    const layer = this.fmLayer === 'auto' ? info.lastConvLayer : this.fmLayer;
    const fit = this.fit === 'tiles' ? 'resize' : this.fit;
    const r = await this.editor.runJob(t('explain.fm.job'), (signal) =>
      this.editor.compute.call('featureMaps', { modelId: info.id, image: transferCopy(doc.image), options: { layer, maxChannels: this.fmChannels, gap, fit } }, { signal }),
    );
    if (r && this.editor.doc === doc) this.fm = { ...r, layer, gap };
  }
}

/** The editor's Explain state, created on first use. */
export const explainStateFor = perEditor((editor) => new ExplainState(editor));
