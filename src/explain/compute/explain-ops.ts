/** The Explain feature's worker ops: classify, gradcam, featureMaps, faithfulness, methodGrid on a cached network (see core/net/model-cache.ts). */
import type { RgbaImage } from '../../core/image';
import type { JobContext, OpHandlers, OpSpec } from '../../core/job';
import { getNet } from '../../core/net/model-cache';
import type { PlainNet } from '../../core/net/plain-net';
import { burnIn } from './cam-composite';
import type { ColormapName } from './colormap';
import { classifyImage, explainCam, featureMapGrid, type CamResult, type ClassifyResult, type FeatureMapOptions } from './explain';
import { defaultOverlayOptions, type ExplainOptions, type OverlayOptions } from './explain-options';
import { faithfulness, type FaithfulnessOptions, type FaithfulnessResult } from './faithfulness';
import { methodGrid, type MethodGridOptions, type MethodGridResult } from './method-grid';

/** Input of the classify op. */
export interface ClassifyOpInput {
  modelId: string;
  image: RgbaImage;
  options?: Partial<ExplainOptions>;
}

/** Input of the gradcam op; `overlay` asks for the coloured composite too. */
export interface GradcamOpInput {
  modelId: string;
  image: RgbaImage;
  options?: Partial<ExplainOptions>;
  overlay?: Partial<OverlayOptions>;
}

/** Result of the gradcam op. */
export interface GradcamOpResult extends CamResult {
  overlay?: RgbaImage;
}

/** Input of the featureMaps op. */
export interface FeatureMapsOpInput {
  modelId: string;
  image: RgbaImage;
  options?: Partial<FeatureMapOptions>;
}

/** Input of the camOverlay op: the photo, its CAM (0..1, photo size) and the look; `guided` blends that picture instead of the colours. */
export interface CamOverlayOpInput {
  photo: RgbaImage;
  heat: Float32Array;
  colormap: ColormapName;
  alpha: number;
  guided: RgbaImage | null;
}

/** Input of the faithfulness op: a map (photo size) to score for a class. */
export interface FaithfulnessOpInput {
  modelId: string;
  image: RgbaImage;
  heat: Float32Array;
  classIndex: number;
  options?: Partial<FaithfulnessOptions>;
}

/** Input of the methodGrid op: the CAM options shared by every method, and the grid's own. */
export interface MethodGridOpInput {
  modelId: string;
  image: RgbaImage;
  options?: Partial<ExplainOptions>;
  grid?: Partial<MethodGridOptions>;
}

/** Result of the featureMaps op. */
export type FeatureMapsOpResult = Awaited<ReturnType<typeof featureMapGrid>>;

function netOf(id: string): PlainNet {
  const net = getNet(id);
  if (!net) throw new Error(`The model “${id}” is not loaded in the worker (call loadModel first).`);
  return net;
}

/** classify op. */
export async function classifyOp(input: ClassifyOpInput): Promise<ClassifyResult> {
  return classifyImage(netOf(input.modelId), input.image, input.options);
}

/** gradcam op. */
export async function gradcamOp(input: GradcamOpInput, ctx?: JobContext): Promise<GradcamOpResult> {
  const r = await explainCam(netOf(input.modelId), input.image, input.options, ctx);
  if (!input.overlay) return r;
  const o = { ...defaultOverlayOptions, ...input.overlay };
  return { ...r, overlay: burnIn(input.image, r.heat, o.colormap, o.alpha, null) };
}

/** featureMaps op. */
export async function featureMapsOp(input: FeatureMapsOpInput): Promise<FeatureMapsOpResult> {
  return featureMapGrid(netOf(input.modelId), input.image, input.options);
}

/** camOverlay op: the full-resolution composite, off the UI thread. */
export async function camOverlayOp(input: CamOverlayOpInput): Promise<RgbaImage> {
  const { photo, heat } = input;
  if (heat.length !== photo.width * photo.height) throw new Error('camOverlay: the map and the photo sizes differ');
  return burnIn(photo, heat, input.colormap, input.alpha, input.guided);
}

/** faithfulness op: keep/remove curves and the score of a map (progress and Cancel between passes). */
export async function faithfulnessOp(input: FaithfulnessOpInput, ctx?: JobContext): Promise<FaithfulnessResult> {
  return faithfulness(netOf(input.modelId), input.image, input.heat, input.classIndex, input.options, ctx);
}

/** methodGrid op: every method on one photo and class with its scores, as one picture. */
export async function methodGridOp(input: MethodGridOpInput, ctx?: JobContext): Promise<MethodGridResult> {
  return methodGrid(netOf(input.modelId), input.image, input.options, input.grid, ctx);
}

/** The ops the Explain feature serves. */
export interface ExplainOps {
  /** Top-k classes of a photo. */
  classify: OpSpec<ClassifyOpInput, ClassifyResult>;
  /** Grad-CAM family map on the photo's geometry (progress and cancel for Score-CAM and tiles). */
  gradcam: OpSpec<GradcamOpInput, GradcamOpResult>;
  /** A layer's channel activations tiled into one image. */
  featureMaps: OpSpec<FeatureMapsOpInput, FeatureMapsOpResult>;
  /** The photo with a CAM burnt in (burn-in and the overlay export). */
  camOverlay: OpSpec<CamOverlayOpInput, RgbaImage>;
  /** Faithfulness of a map: class probability with its most salient k % removed or kept alone. */
  faithfulness: OpSpec<FaithfulnessOpInput, FaithfulnessResult>;
  /** All methods side by side with their faithfulness, one picture. */
  methodGrid: OpSpec<MethodGridOpInput, MethodGridResult>;
}

/** Their handlers. */
export const explainHandlers: OpHandlers<ExplainOps> = {
  classify: (input) => classifyOp(input),
  gradcam: (input, ctx) => gradcamOp(input, ctx),
  featureMaps: (input) => featureMapsOp(input),
  camOverlay: (input) => camOverlayOp(input),
  faithfulness: (input, ctx) => faithfulnessOp(input, ctx),
  methodGrid: (input, ctx) => methodGridOp(input, ctx),
};
