/** The Explain panel's state and actions: classify, CAM, overlay, burn-in, exports, feature maps. */
import type { ExportBytesKind, HostResult, ExportResult } from '../../host/host-contract';
import { t } from '../../app/i18n/i18n.svelte';
import '../explain-messages';
import { transferCopy, type DocumentState, type Editor } from '../../app/state/editor.svelte';
import type { RgbaImage } from '../../core/image';
import type { ColormapName } from '../compute/colormap';
import type { ClassScore } from '../compute/explain';
import type { CamOverlayOpInput, FeatureMapsOpResult } from '../compute/explain-ops';
import { methodGridCsv, methodGridParams } from '../compute/faithfulness-records';
import type { MethodGridResult } from '../compute/method-grid';
import { defaultExplainOptions, type CamMethod, type FitMode, type UpsampleMode } from '../compute/explain-options';
import { camCsv, camFileName, camNpy, camParams, camPng16, type CamExportKind, type CamRecord, type OverlayLook } from './cam-export';
import type { PhotoClasses } from './photo-classes.svelte';
import { recordParameters } from '../../app/actions/export-params';

/** A CAM result as the panel keeps it: the record to export plus the photo it was computed on. */
export interface CamView extends CamRecord {
  /** The document pixels the CAM was computed on (document images are replaced, never mutated). */
  photo: RgbaImage;
  /** Guided Grad-CAM picture at the photo's size (method 'guided'). */
  guided: RgbaImage | null;
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
  /** Score-CAM on every channel of the layer (slow: one masked forward per channel, batched, with progress and Cancel). */
  scoreCamAll = $state(false);
  scoreCamUpsample: UpsampleMode = $state(defaultExplainOptions.scoreCamUpsample);
  /** pytorch-grad-cam's eigen_smooth: first principal component of the weighted activations. */
  eigenSmooth = $state(false);
  /** Class the CAM explains: a class id, or 'auto' for the top-1 class. */
  target: number | 'auto' = $state('auto');

  colormap: ColormapName = $state('jet');
  opacity = $state(0.5);
  visible = $state(true);
  /** For guided Grad-CAM: show the guided picture (true) or the heat colours (false). */
  showGuided = $state(true);

  cam: CamView | null = $state.raw(null);
  exporting = $state(false);

  fmLayer = $state('auto');
  fmChannels = $state(64);
  fm: FeatureMapView | null = $state.raw(null);
  /** The method grid of the photo, with the photo it was computed on. */
  grid: (MethodGridResult & { photo: RgbaImage; source: string }) | null = $state.raw(null);

  /** The document the results belong to. */
  doc: DocumentState | null = null;

  /** `classes` is the photo's classification, shared with the Dream panel. */
  constructor(
    private editor: Editor,
    private readonly classes: PhotoClasses,
  ) {}

  /** The photo's top classes (shared with Dream). */
  get top(): ClassScore[] | null {
    return this.classes.top;
  }

  /** True while the photo is being classified. */
  get classifying(): boolean {
    return this.classes.classifying;
  }

  /** Why the last classify failed, or null. */
  get classifyError(): string | null {
    return this.classes.error;
  }

  /** Forgets results of another document. */
  adoptDocument(doc: DocumentState | null): void {
    if (doc === this.doc) return;
    this.doc = doc;
    this.classes.adoptDocument(doc);
    this.cam = null;
    this.fm = null;
    this.grid = null;
    this.target = 'auto';
  }

  /** Classifies the document (with this panel's fit) unless the same pixels, model and fit were classified already. */
  classifyIfStale(): Promise<void> {
    return this.classes.classifyIfStale(this.fit);
  }

  /** Label of a class id in the loaded model. */
  labelOf(index: number): string {
    return this.editor.models.active?.labels[index] ?? t('explain.classN', { n: index });
  }

  /** The class id the next CAM explains (the top-1 when the target is 'auto'), or null before classifying. */
  get targetIndex(): number | null {
    return this.target === 'auto' ? (this.top?.[0]?.index ?? null) : this.target;
  }

  /**
   * Picks the class the map explains. With a map shown (or one being computed) the map follows the
   * pick: a run in flight is cancelled and the map re-runs for the new class.
   */
  async pick(target: number | 'auto'): Promise<void> {
    if (target === this.target) return;
    this.target = target;
    const seq = ++this.#pickSeq;
    const inFlight = this.#camRun;
    if (!this.cam && !inFlight) return;
    if (inFlight) {
      // Only this panel's CAM job can be in flight while #camRun is set: jobs never overlap.
      this.editor.cancelJob();
      await inFlight;
    }
    // A later pick supersedes this one; another job (burn-in, dream…) keeps its turn.
    if (seq !== this.#pickSeq || this.editor.job) return;
    await this.run();
  }

  /** The CAM run in flight, so that a class pick can cancel it and wait for it to end. */
  #camRun: Promise<boolean> | null = null;
  /** Counts picks: of several quick picks only the last one re-runs the map. */
  #pickSeq = 0;

  /** Computes the CAM of the target class as one cancellable job; the overlay appears when it is done. */
  async run(): Promise<boolean> {
    if (this.editor.job) return false;
    const running = this.#computeCam();
    this.#camRun = running;
    try {
      return await running;
    } finally {
      if (this.#camRun === running) this.#camRun = null;
    }
  }

  async #computeCam(): Promise<boolean> {
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
      scoreCamChannels: this.scoreCamAll ? 0 : this.scoreCamChannels,
      scoreCamUpsample: this.scoreCamUpsample,
      eigenSmooth: this.eigenSmooth,
    };
    const r = await this.editor.runJob(t('explain.job', { method: t(`explain.method.${this.method}`) }), (signal, onProgress) =>
      this.editor.compute.call('gradcam', { modelId: info.id, image: transferCopy(photo), options }, { signal, onProgress }),
    );
    if (!r || this.editor.doc !== doc) return false;
    this.cam = {
      settings: { method: r.method, layer: r.layer, fit: options.fit, tilesAcross: options.tilesAcross, smooth: options.smooth, scoreCamChannels: options.scoreCamChannels, scoreCamUpsample: options.scoreCamUpsample, eigenSmooth: options.eigenSmooth },
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

  /** Puts back the CAM settings an export carries (camParams: method, class, layer, fit, smooth); false when it is no CAM export. */
  restore(p: Record<string, string>): boolean {
    if (p['onirique:operation'] !== 'gradcam' || !p['onirique:method']) return false;
    this.method = p['onirique:method'] as CamMethod;
    const cls = Number(p['onirique:class']);
    this.target = Number.isInteger(cls) && cls >= 0 ? cls : 'auto';
    if (p['onirique:layer']) this.layer = p['onirique:layer'];
    const fit = p['onirique:fit'];
    if (fit === 'resize' || fit === 'center-crop' || fit === 'tiles') this.fit = fit;
    const across = Number(p['onirique:tiles-across']);
    if (Number.isInteger(across) && across > 0) this.tilesAcross = across;
    this.smooth = p['onirique:smooth'] === 'true';
    if (p['onirique:colormap']) this.colormap = p['onirique:colormap'] as ColormapName;
    const alpha = Number(p['onirique:alpha']);
    if (Number.isFinite(alpha) && alpha >= 0 && alpha <= 1) this.opacity = alpha;
    return true;
  }

  /** The worker's composite input; copies, since the call transfers (detaches) its buffers. */
  private overlayInput(photo: RgbaImage, cam: CamView, colormap: ColormapName, alpha: number, guided: RgbaImage | null): CamOverlayOpInput {
    return { photo: transferCopy(photo), heat: cam.heat.slice(), colormap, alpha, guided: guided && transferCopy(guided) };
  }

  /** Burns the overlay as shown into the photo (composited in the worker): one undo step; the view layer is hidden so it is not doubled. */
  async burnIn(): Promise<void> {
    const doc = this.editor.doc;
    const cam = this.cam;
    if (!doc || !cam || this.editor.job || doc.image.width !== cam.width || doc.image.height !== cam.height) return;
    const image = doc.image;
    const input = this.overlayInput(image, cam, this.colormap, this.opacity, this.guidedShown ? cam.guided : null);
    const out = await this.editor.runJob(t('explain.burn'), (signal) => this.editor.compute.call('camOverlay', input, { signal }));
    // The document may have changed meanwhile: burn into the pixels the composite was made from only.
    if (!out || this.editor.doc !== doc || doc.image !== image) return;
    this.editor.commit(t('explain.history.burn', { method: t(`explain.method.${cam.settings.method}`), label: cam.label }), out);
    recordParameters(out, camParams(cam, { colormap: this.colormap, alpha: this.opacity }));
    this.visible = false;
  }

  private report(r: HostResult<ExportResult> | null): void {
    if (!r) return;
    if (r.ok) this.editor.notify(t('explain.exported', { name: r.value.name, kib: Math.round(r.value.bytes / 1024) }));
    else this.editor.fail(t('explain.exportFailed', { error: r.error }));
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
        const image = look ? await this.editor.compute.call('camOverlay', this.overlayInput(cam.photo, cam, look.colormap, look.alpha, null)) : cam.guided!;
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
      this.editor.fail(t('explain.exportFailed', { error: e instanceof Error ? e.message : String(e) }));
    } finally {
      this.exporting = false;
    }
  }

  /** Scores the current map's faithfulness (keep / remove curves and their number) as one cancellable job. */
  async scoreFaithfulness(): Promise<void> {
    const cam = this.cam;
    const info = this.editor.models.active;
    if (!cam || !info || this.editor.job) return;
    const input = { modelId: info.id, image: transferCopy(cam.photo), heat: cam.heat.slice(), classIndex: cam.classIndex, options: { fit: cam.settings.fit } };
    const r = await this.editor.runJob(t('explain.faith.job'), (signal, onProgress) => this.editor.compute.call('faithfulness', input, { signal, onProgress }));
    // Another map may have replaced this one meanwhile: the scores belong to the map they were computed on.
    if (r && this.cam === cam) this.cam = { ...cam, faithfulness: r };
  }

  /** Runs every method on the photo for the current target, each with its faithfulness, as one grid (one job). */
  async methodGrid(): Promise<void> {
    const doc = this.editor.doc;
    const info = this.editor.models.active;
    if (!doc || !info || this.editor.job) return;
    const photo = doc.image;
    const options = { classIndex: this.target, layer: this.layer, fit: this.fit, tilesAcross: this.tilesAcross, smooth: this.smooth, scoreCamChannels: this.scoreCamAll ? 0 : this.scoreCamChannels, scoreCamUpsample: this.scoreCamUpsample, eigenSmooth: this.eigenSmooth };
    const grid = { overlay: { colormap: this.colormap, alpha: this.opacity } };
    const r = await this.editor.runJob(t('explain.grid.job'), (signal, onProgress) =>
      this.editor.compute.call('methodGrid', { modelId: info.id, image: transferCopy(photo), options, grid }, { signal, onProgress }),
    );
    if (r && this.editor.doc === doc) this.grid = { ...r, photo, source: doc.name };
  }

  /** Exports the method grid: the PNG (scores and methods in its text chunks) or its CSV. */
  async exportGrid(kind: 'png' | 'csv'): Promise<void> {
    const g = this.grid;
    const doc = this.editor.doc;
    const entry = this.editor.models.activeEntry;
    if (!g || !doc || this.exporting) return;
    this.exporting = true;
    const stem = `${g.source.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || 'photo'}-method-grid`;
    try {
      if (kind === 'csv') {
        this.report(await this.editor.host.exportBytes({ bytes: new TextEncoder().encode(methodGridCsv(g)), suggestedName: `${stem}.csv`, kind: 'csv' }));
        return;
      }
      const metadata = { ...methodGridParams(g), 'onirique:model-sha256': entry?.sha256 ?? 'unknown', 'onirique:source': g.source };
      this.report(await this.editor.host.exportImage({ image: { ...g.image, data: g.image.data.slice() }, format: 'png', suggestedName: `${stem}.png`, metadata, sourceDocId: doc.docId }));
    } catch (e) {
      this.editor.fail(t('explain.exportFailed', { error: e instanceof Error ? e.message : String(e) }));
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
