/**
 * The compute boundary: the one typed message contract between the UI and the tfjs worker.
 * Each feature declares its ops (input and result types) beside their handlers in its compute
 * folder; `ComputeOps` composes them, and the client and the worker are both typed from it, so an
 * op cannot drift out of sync on one side. Features import core, never this file.
 */
import type { JobProgress, OpSpec } from '../core/job';
import type { ModelOps } from '../core/net/model-cache';
import type { DreamOps } from '../dream/compute/dream-op';
import type { ExplainOps } from '../explain/compute/explain-ops';
import type { FilterOps } from '../filter/compute/filter-op';
import type { TeachOps } from '../teach/compute/teach-op';

/** Which tfjs backend is live and what GL the machine has. */
export interface BackendInfo {
  /** Backend the worker runs compute on. */
  backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu';
  /** Backends that initialised successfully, in preference order. */
  available: ('webgpu' | 'webgl' | 'wasm' | 'cpu')[];
  /** Unmasked GL renderer string, or null when WebGL is unavailable. */
  glRenderer: string | null;
  /** True when the GL renderer is a software rasteriser (SwiftShader, llvmpipe). */
  softwareGl: boolean;
  /** WebGPU adapter ("vendor architecture description"), or null when navigator.gpu gives none. */
  gpuAdapter: string | null;
  /** True when the WebGPU adapter is a CPU rasteriser (SwiftShader, lavapipe) or a fallback adapter. */
  softwareGpu: boolean;
  /** Whether wasm runs with threads (cross-origin isolated) and SIMD. */
  wasmThreads: boolean;
  /** One-line reason for the choice, shown in the status bar tooltip. */
  reason: string;
}

/** Input of the init op: the backend asked for and where the wasm binaries are served. */
export interface InitInput {
  backend: 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
  wasmPath: string;
}

/** The worker's own op. */
export interface WorkerOps {
  /** Picks and initialises the tfjs backend. */
  init: OpSpec<InitInput, BackendInfo>;
}

/** Every op the worker serves: name → input and result types. */
export interface ComputeOps extends WorkerOps, ModelOps, FilterOps, DreamOps, ExplainOps, TeachOps {}

/** Name of an op. */
export type OpName = keyof ComputeOps;

/** The call of op K; over all names (the default) a union discriminated by `op`, so `input` always matches it. */
export type CallMsg<K extends OpName = OpName> = { [P in K]: { type: 'call'; id: number; op: P; input: ComputeOps[P]['input'] } }[K];

/** Messages from the UI to the worker. */
export type ToWorker = CallMsg | { type: 'cancel'; id: number };

/** Messages from the worker to the UI. */
export type FromWorker =
  | { type: 'progress'; id: number; progress: JobProgress }
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
