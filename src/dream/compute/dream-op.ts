/** The Dream feature's worker op: finds the loaded network in the worker's model cache and runs the engine on it. */
import type { RgbaImage } from '../../core/image';
import type { JobContext, OpHandlers, OpSpec } from '../../core/job';
import { getNet } from '../../core/net/model-cache';
import { camToMask, type CamMask } from './cam-mask';
import type { DreamOptions } from './dream-options';
import { dream } from './dream';
import type { DreamMask } from './mask';
import { dreamNetFromPlain } from './plain-net-dream';
import { dreamZoom, type ZoomOptions } from './zoom';

/** Input of the dream op: the image, an optional mask (0..1 floats or 0..255 bytes), options, model. */
export interface DreamOpInput {
  image: RgbaImage;
  mask?: DreamMask | null;
  options: Partial<DreamOptions>;
  modelId: string;
}

/** Runs the dream op; the input image is never modified (Cancel leaves the document as it was). */
export async function dreamOp(input: DreamOpInput, ctx: JobContext): Promise<RgbaImage> {
  const net = getNet(input.modelId);
  if (!net) throw new Error(`The model “${input.modelId}” is not loaded in the worker.`);
  const result = await dream(input.image, input.mask ?? null, input.options, dreamNetFromPlain(net), ctx);
  return result.image;
}

/** Input of the dreamZoom op: the start image, the dream options (seed + frame number per frame), the zoom, the model. */
export interface DreamZoomOpInput {
  image: RgbaImage;
  options: Partial<DreamOptions>;
  zoom: ZoomOptions;
  modelId: string;
}

/** dreamZoom op: every frame of the infinite zoom, in order (progress: frame, step and ETA, with the last step as preview). */
export async function dreamZoomOp(input: DreamZoomOpInput, ctx: JobContext): Promise<RgbaImage[]> {
  const net = getNet(input.modelId);
  if (!net) throw new Error(`The model “${input.modelId}” is not loaded in the worker.`);
  const frames: RgbaImage[] = [];
  await dreamZoom(input.image, input.options, input.zoom, dreamNetFromPlain(net), (frame) => void frames.push(frame), ctx);
  return frames;
}

/** Input of the camMask op: a normalised CAM (0..1, width×height), the document's size and the floor under which nothing dreams. */
export interface CamMaskOpInput {
  heat: Float32Array;
  width: number;
  height: number;
  docWidth: number;
  docHeight: number;
  floor?: number;
}

/** camMask op: the full-resolution resampling of a CAM into the dream mask, off the UI thread. */
export async function camMaskOp(input: CamMaskOpInput): Promise<CamMask> {
  const { heat, width, height } = input;
  if (heat.length !== width * height) throw new Error('camMask: the map is not width×height');
  return camToMask(heat, width, height, input.docWidth, input.docHeight, input.floor);
}

/** The ops the Dream feature serves. */
export interface DreamOps {
  /** Deep Dream (progress carries a preview after every step). */
  dream: OpSpec<DreamOpInput, RgbaImage>;
  /** A CAM as the dream mask at the document's size, with its bounding box. */
  camMask: OpSpec<CamMaskOpInput, CamMask>;
  /** The infinite zoom's frames, each the previous one zoomed in and dreamt again. */
  dreamZoom: OpSpec<DreamZoomOpInput, RgbaImage[]>;
}

/** Their handlers. */
export const dreamHandlers: OpHandlers<DreamOps> = { dream: dreamOp, camMask: (input) => camMaskOp(input), dreamZoom: dreamZoomOp };
