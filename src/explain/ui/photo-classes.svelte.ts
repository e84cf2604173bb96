/**
 * What the network sees in the open photo (its top-5 classes): one classify per photo, model and
 * fit, shared by the Explain panel (its list and CAM target) and the Dream panel ("dream where the
 * model sees"). The app shell owns it, so neither panel reaches into the other's state.
 */
import { transferCopy, type DocumentState, type Editor } from '../../app/state/editor.svelte';
import type { RgbaImage } from '../../core/image';
import type { ClassScore } from '../compute/explain';
import type { FitMode } from '../compute/explain-options';

/** The photo's classification, kept in step with the document by whoever shows it. */
export class PhotoClasses {
  #top: ClassScore[] | null = $state.raw(null);
  #classifying = $state(false);
  #error: string | null = $state(null);
  /** The document the classes belong to. */
  #doc: DocumentState | null = null;
  /** The fit last asked for: Explain's setting, which Dream's request follows. */
  #fit: FitMode = 'resize';
  #key = '';
  #seq = 0;
  #imageKeys = new WeakMap<RgbaImage, number>();
  #nextImageKey = 1;

  constructor(private readonly editor: Editor) {}

  /** The top classes of the current pixels, or null before (or after a failed) classify. */
  get top(): ClassScore[] | null {
    return this.#top;
  }

  /** True while a classify runs. */
  get classifying(): boolean {
    return this.#classifying;
  }

  /** Why the last classify failed, or null. */
  get error(): string | null {
    return this.#error;
  }

  /** Forgets the classes of another document. */
  adoptDocument(doc: DocumentState | null): void {
    if (doc === this.#doc) return;
    this.#doc = doc;
    this.#top = null;
    this.#key = '';
    this.#error = null;
  }

  private imageKey(img: RgbaImage): number {
    let k = this.#imageKeys.get(img);
    if (k === undefined) {
      k = this.#nextImageKey++;
      this.#imageKeys.set(img, k);
    }
    return k;
  }

  /** Classifies the document unless the same pixels, model and fit were classified already (fit: the last one asked for). */
  async classifyIfStale(fitMode: FitMode = this.#fit): Promise<void> {
    this.#fit = fitMode;
    const doc = this.editor.doc;
    const model = this.editor.models.active;
    if (!doc || !model) return;
    // Tiles classify the whole photo resized, as the engine does.
    const fit = fitMode === 'tiles' ? 'resize' : fitMode;
    const key = `${model.id}|${fit}|${this.imageKey(doc.image)}`;
    if (key === this.#key) return;
    this.#key = key;
    const seq = ++this.#seq;
    this.#classifying = true;
    this.#error = null;
    try {
      const r = await this.editor.compute.call('classify', { modelId: model.id, image: transferCopy(doc.image), options: { fit, topK: 5 } });
      if (seq === this.#seq) this.#top = r.top;
    } catch (e) {
      if (seq === this.#seq) {
        this.#error = e instanceof Error ? e.message : String(e);
        this.#key = '';
      }
    } finally {
      if (seq === this.#seq) this.#classifying = false;
    }
  }
}
