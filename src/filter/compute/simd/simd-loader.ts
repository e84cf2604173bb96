/**
 * Loads the filter's WebAssembly SIMD kernel (correlate.as, embedded as base64 by
 * scripts/build-wasm.mjs), the same way in the worker, the page and Node: no fetch paths. Resolves
 * to null where it cannot run (no WebAssembly SIMD, or the generated module was never built), and
 * the engine falls back to its other paths.
 */

/** Linear memory of an instance, as the driver uses it. */
export interface SimdMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The kernel's exports (pointers are byte addresses, counts f32 elements; see correlate.as). */
export interface SimdKernel {
  memory: SimdMemory;
  lumaRow(src: number, n: number, dst: number): void;
  channelRow(src: number, n: number, c: number, dst: number): void;
  acc64(o: number, n: number, s: number, count: number, pa: number, pb: number, pc: number, pe: number, wa: number, wb: number, wc: number, we: number): void;
  acc32(o: number, n: number, s: number, count: number, pa: number, pb: number, pc: number, pe: number, wa: number, wb: number, wc: number, we: number): void;
  zero(p: number, n: number): void;
}

/** The slice of the WebAssembly API used here (the Node tsconfig has no WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
}

const kernelFunctions = ['lumaRow', 'channelRow', 'acc64', 'acc32', 'zero'] as const;

function isKernel(e: Record<string, unknown>): e is Record<string, unknown> & SimdKernel {
  const m = e.memory;
  return kernelFunctions.every((f) => typeof e[f] === 'function') && typeof m === 'object' && m !== null && 'grow' in m && 'buffer' in m;
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

let compiled: Promise<object | null> | null = null;
let disabled = false;

/** Turns the SIMD path off (or back on) in this process, as if WebAssembly SIMD were missing: for tests and benchmarks of the fallbacks. */
export function setSimdDisabled(off: boolean): void {
  disabled = off;
}

function wasmApi(): WasmApi | undefined {
  // A global lookup: typed by hand because the Node project's libs do not declare WebAssembly.
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** The compiled module, once per process; null without WebAssembly SIMD or without the build. */
export function simdModule(): Promise<object | null> {
  compiled ??= (async () => {
    const api = wasmApi();
    if (!api) return null;
    try {
      const { wasmBase64 } = await import('./correlate-wasm.js');
      const bytes = decode(wasmBase64);
      // validate() fails on engines without the SIMD proposal: the caller falls back.
      return api.validate(bytes) ? await api.compile(bytes) : null;
    } catch {
      return null; // correlate-wasm.js not generated (no `npm run build` yet)
    }
  })();
  return compiled;
}

/** A fresh instance (its own memory, so concurrent runs cannot clobber each other), or null. */
export async function simdKernel(): Promise<SimdKernel | null> {
  if (disabled) return null;
  const module = await simdModule();
  const api = wasmApi();
  if (!module || !api) return null;
  const { exports } = await api.instantiate(module, {});
  return isKernel(exports) ? exports : null;
}
