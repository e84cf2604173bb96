/** The worker's Explain ops: classify, gradcam, featureMaps on a cached network (see net/model-cache.ts). */
import type { JobContext } from '../job';
import { getNet } from '../net/model-cache';
import type { PlainNet } from '../net/plain-net';
import { overlay } from './colormap';
import { classifyImage, explainCam, featureMapGrid, type CamResult, type ClassifyResult, type FeatureMapOptions } from './explain';
import { defaultOverlayOptions, type ExplainOptions, type OverlayOptions } from './explain-options';
import type { Photo } from './views';

/** An RGBA image crossing the worker boundary. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

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

/** Result of the featureMaps op. */
export type FeatureMapsOpResult = Awaited<ReturnType<typeof featureMapGrid>>;

function netOf(id: string): PlainNet {
  const net = getNet(id);
  if (!net) throw new Error(`The model “${id}” is not loaded in the worker (call loadModel first).`);
  return net;
}

/** classify op. */
export async function classifyOp(input: ClassifyOpInput): Promise<ClassifyResult> {
  return classifyImage(netOf(input.modelId), input.image as Photo, input.options);
}

/** gradcam op. */
export async function gradcamOp(input: GradcamOpInput, ctx?: JobContext): Promise<GradcamOpResult> {
  const r = await explainCam(netOf(input.modelId), input.image as Photo, input.options, ctx);
  if (!input.overlay) return r;
  const o = { ...defaultOverlayOptions, ...input.overlay };
  return { ...r, overlay: overlay(input.image, { width: r.width, height: r.height, data: r.heat }, o.colormap, o.alpha) };
}

/** featureMaps op. */
export async function featureMapsOp(input: FeatureMapsOpInput): Promise<FeatureMapsOpResult> {
  return featureMapGrid(netOf(input.modelId), input.image as Photo, input.options);
}
