/**
 * WebGPU in Node through Dawn's binding (the optional `webgpu` npm package, TECH-NOTES.md). Loaded
 * lazily so the CLI runs without it; the tfjs webgpu backend is imported only after navigator.gpu
 * exists, because it registers itself at import time only when it sees one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What requestAdapter() told us. */
export interface NodeGpuAdapter {
  /** "vendor architecture (description)" as Dawn reports them. */
  name: string;
  /** A CPU rasteriser (SwiftShader, lavapipe): slower than wasm for this app's work. */
  software: boolean;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<{ info?: AdapterInfoLike; isFallbackAdapter?: boolean } | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

function isDawnModule(m: unknown): m is DawnModule {
  return typeof m === 'object' && m !== null && typeof (m as { create?: unknown }).create === 'function' && typeof (m as { globals?: unknown }).globals === 'object';
}

// The Vulkan loader's usual homes; Dawn dlopens "libvulkan.so.1" by name.
const systemLibDirs = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/usr/local/lib'];

/**
 * Loads a Vulkan loader by absolute path when the system has none (Debian's chromium ships its own in
 * /usr/lib/chromium; the GPU kit ships one in lib/). Once it is in the process, Dawn's dlopen by
 * soname finds it. process.dlopen refuses a library that is not a Node addon, but RTLD_NODELETE
 * (0x1000 in glibc, not in os.constants) keeps it loaded after the refusal.
 */
function preloadVulkanLoader(): boolean {
  if (process.platform !== 'linux') return true;
  const ldDirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if ([...ldDirs, ...systemLibDirs].some((d) => existsSync(path.join(d, 'libvulkan.so.1')))) return true;
  const candidates = [process.env.ONIRIQUE_VULKAN_LOADER, path.join(path.dirname(process.execPath), 'libvulkan.so.1'), '/usr/lib/chromium/libvulkan.so.1'];
  const lib = candidates.find((c): c is string => !!c && existsSync(c));
  if (!lib) return false;
  try {
    process.dlopen({ exports: {} }, lib, 0x2 /* RTLD_NOW */ | 0x100 /* RTLD_GLOBAL */ | 0x1000 /* RTLD_NODELETE */);
  } catch {
    // Expected ("did not self-register"): the library stays loaded all the same.
  }
  return true;
}

const icdDirs = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

/**
 * Vulkan driver manifests that are not CPU rasterisers (lavapipe's lvp_icd, SwiftShader): without
 * one, Dawn can only fail (and says so on stderr) or find a software adapter wasm beats.
 */
export function hardwareIcdManifests(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? '').split(':').filter(Boolean);
  const dataDirs = (env.XDG_DATA_DIRS ?? '').split(':').filter(Boolean).map((d) => path.join(d, 'vulkan', 'icd.d'));
  const found =
    listed.length > 0
      ? listed
      : [...icdDirs, ...dataDirs].flatMap((d) => {
          try {
            return readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => path.join(d, f));
          } catch {
            return [];
          }
        });
  return found.filter((f) => !/lvp|lavapipe|swiftshader|llvmpipe/i.test(path.basename(f)));
}

/** Software rasterisers by the names Dawn and ANGLE give them. */
export function isSoftwareAdapter(info: AdapterInfoLike, fallback: boolean): boolean {
  if (fallback || info.isFallbackAdapter) return true;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''} ${info.device ?? ''}`;
  return /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i.test(text);
}

let adapterOnce: Promise<NodeGpuAdapter | null> | null = null;

async function loadAdapter(): Promise<NodeGpuAdapter | null> {
  // Without a Vulkan loader Dawn finds nothing on Linux and says so on stderr: do not ask it.
  if (!preloadVulkanLoader()) return null;
  // The Vulkan loader warns (and some ICDs fail) without a runtime dir; headless shells often lack one.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  let mod: unknown;
  try {
    // A variable name: esbuild leaves the import alone, and a missing optional package is a catch.
    const name = process.env.ONIRIQUE_WEBGPU_MODULE ?? 'webgpu';
    mod = await import(/* @vite-ignore */ name);
  } catch {
    return null;
  }
  if (!isDawnModule(mod)) return null;
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  // Node 21+ has a navigator object (without gpu); Node 20 has none.
  const nav: unknown = Reflect.get(globalThis, 'navigator');
  if (typeof nav === 'object' && nav !== null) {
    Object.defineProperty(nav, 'gpu', { configurable: true, value: gpu });
  } else {
    Object.defineProperty(globalThis, 'navigator', { configurable: true, value: { gpu } });
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') + (info.description ? ` (${info.description})` : '');
  return { name: name || 'unknown adapter', software: isSoftwareAdapter(info, adapter.isFallbackAdapter === true) };
}

/** Loads Dawn once and asks it for an adapter; null when the package or an adapter is missing. */
export function nodeGpuAdapter(): Promise<NodeGpuAdapter | null> {
  adapterOnce ??= loadAdapter().catch(() => null);
  return adapterOnce;
}

/** Registers tfjs's webgpu backend (after nodeGpuAdapter() found an adapter). */
export async function registerWebgpuBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-webgpu');
}
