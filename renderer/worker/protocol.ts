/**
 * The compute boundary: the one typed message contract between the UI and the tfjs worker.
 * Each operation names its input and result types in `ComputeOps`; the client and the worker
 * are both typed from that map, so an op cannot drift out of sync on one side.
 */
import type { DreamOpInput } from './compute/dream/dream-op';
import type { ClassifyResult } from './compute/explain/explain';
import type { ClassifyOpInput, FeatureMapsOpInput, FeatureMapsOpResult, GradcamOpInput, GradcamOpResult } from './compute/explain/explain-ops';
import type { FilterOptions } from './compute/filter-options';
import type { LoadModelInput, ModelInfo } from './compute/net/model-cache';

/** 8-bit RGBA pixels; the buffer is transferred, not copied, across the boundary. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Which tfjs backend is live and what GL the machine has. */
export interface BackendInfo {
  /** Backend the worker runs compute on. */
  backend: 'webgl' | 'wasm' | 'cpu';
  /** Backends that initialised successfully, in preference order. */
  available: ('webgl' | 'wasm' | 'cpu')[];
  /** Unmasked GL renderer string, or null when WebGL is unavailable. */
  glRenderer: string | null;
  /** True when the GL renderer is a software rasteriser (SwiftShader, llvmpipe). */
  softwareGl: boolean;
  /** Whether wasm runs with threads (cross-origin isolated) and SIMD. */
  wasmThreads: boolean;
  /** One-line reason for the choice, shown in the status bar tooltip. */
  reason: string;
}

/** Input of the filter op. */
export interface FilterInput {
  image: Rgba;
  options: Partial<FilterOptions>;
}

/** Every op the worker serves: name → input and result types. */
export interface ComputeOps {
  init: { input: { backend: 'auto' | 'webgl' | 'wasm' | 'cpu'; wasmPath: string }; result: BackendInfo };
  filter: { input: FilterInput; result: Rgba };
  memory: { input: null; result: { numTensors: number; numBytes: number } };
  /** Deep Dream (progress carries a preview after every step). */
  dream: { input: DreamOpInput; result: Rgba };
  /** Loads a tfjs LayersModel (URL or bytes) as a plain-op network cached under `id`. */
  loadModel: { input: LoadModelInput; result: ModelInfo };
  /** Top-k classes of a photo. */
  classify: { input: ClassifyOpInput; result: ClassifyResult };
  /** Grad-CAM family map on the photo's geometry (progress and cancel for Score-CAM and tiles). */
  gradcam: { input: GradcamOpInput; result: GradcamOpResult };
  /** A layer's channel activations tiled into one image. */
  featureMaps: { input: FeatureMapsOpInput; result: FeatureMapsOpResult };
}

/** Name of an op. */
export type OpName = keyof ComputeOps;

/** Progress reported by a running op; `preview` is an optional intermediate image. */
export interface ComputeProgress {
  fraction: number;
  label: string;
  preview?: Rgba;
}

/** Messages from the UI to the worker. */
export type ToWorker =
  | { type: 'call'; id: number; op: OpName; input: ComputeOps[OpName]['input'] }
  | { type: 'cancel'; id: number };

/** Messages from the worker to the UI. */
export type FromWorker =
  | { type: 'progress'; id: number; progress: ComputeProgress }
  | { type: 'result'; id: number; result: ComputeOps[OpName]['result'] }
  | { type: 'error'; id: number; message: string; aborted: boolean };

/** Collects the transferable buffers inside a value so postMessage moves rather than copies them. */
export function transferablesOf(value: unknown, out: ArrayBuffer[] = [], seen = new Set<unknown>()): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const buf = value.buffer;
    if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
    return out;
  }
  if (value instanceof ArrayBuffer) {
    if (!out.includes(value)) out.push(value);
    return out;
  }
  for (const v of Object.values(value)) transferablesOf(v, out, seen);
  return out;
}
