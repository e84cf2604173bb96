/** HostApi for a plain browser page: file input and drag-drop in, downloads out, settings in localStorage. */
import {
  DOCUMENT_HEADER, EXPORT_ANIMATION_HEADER, EXPORT_HEADER, MAX_PIXELS, defaultSettings, hostTable, routeUrl, type DocumentHeader, type ExportAnimationHeader, type ExportAnimationRequest, type ExportHeader, type ExportRequest, type HostApi, type HostResult, type ModelEntry, type OpenedDocument, type RgbaImage,
  type Settings,
} from './host-contract';
import { encodeBinary } from './binary-json';
import { createOpfsRecovery } from './opfs-recovery';
import { importModelFolder } from './web-model-import';

// The local server's routes, as the host table declares them (web-server checks its handlers against the same rows).
const routes = { open: hostTable.openBytes.web, full: hostTable.fullImage.web, models: hostTable.listModels.web, install: hostTable.installModel.web, trained: hostTable.saveTrainedModel.web, export: hostTable.exportImage.web, animation: hostTable.exportAnimation.web };

const SETTINGS_KEY = 'onirique.settings';

function pickFile(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'image/*';
    input.addEventListener('change', () => resolve(input.files?.[0] ?? null), { once: true });
    input.addEventListener('cancel', () => resolve(null), { once: true });
    input.click();
  });
}

/** Decodes bytes in the browser, EXIF orientation applied, to RGBA. */
async function decodeInBrowser(name: string, blob: Blob): Promise<HostResult<OpenedDocument>> {
  if (blob.size === 0) return { ok: false, error: `“${name}” is empty (0 bytes).` };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    return { ok: false, error: `“${name}” is not an image this browser can decode, or it is damaged.` };
  }
  const { width, height } = bitmap;
  if (width * height > MAX_PIXELS) {
    bitmap.close();
    return { ok: false, error: `“${name}” is ${width} x ${height} pixels; the limit is ${MAX_PIXELS / 1e6} megapixels.` };
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { colorSpace: 'srgb' })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, width, height).data;
  const format = blob.type.replace('image/', '') || 'unknown';
  return {
    ok: true,
    value: { docId: crypto.randomUUID(), name, format, storedWidth: width, storedHeight: height, orientation: 1, image: { width, height, data } },
  };
}

/** Raw RGBA body plus its JSON header; an error body is `{ ok: false, error }`. */
async function readPixels(r: Response): Promise<HostResult<{ header: DocumentHeader; image: RgbaImage }>> {
  if (!r.ok) return (await r.json().catch(() => ({ ok: false, error: `The local server could not decode it (HTTP ${r.status}).` }))) as { ok: false; error: string };
  const header = JSON.parse(decodeURIComponent(r.headers.get(DOCUMENT_HEADER) ?? '')) as DocumentHeader;
  const data = new Uint8ClampedArray(await r.arrayBuffer());
  return { ok: true, value: { header, image: { width: header.width, height: header.height, data } } };
}

/**
 * Opens through our own server's sharp services (a fast preview for big photos, the same decoder
 * as the desktop app); null when no server offers it (a static host), so the caller decodes here.
 */
async function openOnServer(name: string, blob: Blob): Promise<HostResult<OpenedDocument> | null> {
  let r: Response;
  try {
    r = await fetch(`${routeUrl(routes.open, {})}?name=${encodeURIComponent(name)}`, {
      method: routes.open.verb,
      body: blob,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  } catch {
    return null;
  }
  if (r.status === 404 || r.status === 405 || (r.ok && !r.headers.has(DOCUMENT_HEADER))) return null;
  const got = await readPixels(r);
  if (!got.ok) return got;
  const { width: _w, height: _h, ...doc } = got.value.header;
  return { ok: true, value: { ...doc, image: got.value.image } };
}

async function openFile(name: string, blob: Blob): Promise<HostResult<OpenedDocument>> {
  return (await openOnServer(name, blob)) ?? decodeInBrowser(name, blob);
}

async function encodeInBrowser(req: ExportRequest): Promise<Blob> {
  const type = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' }[req.format as 'png' | 'jpeg' | 'webp'];
  if (!type) throw new Error(`The browser version cannot write ${req.format.toUpperCase()}; use PNG, JPEG or WebP, or the desktop app.`);
  const canvas = new OffscreenCanvas(req.image.width, req.image.height);
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(req.image.data), req.image.width, req.image.height), 0, 0);
  return canvas.convertToBlob({ type, quality: (req.quality ?? 90) / 100 });
}

/**
 * Encodes on our own server (the desktop app's sharp encoder, so the parameters go into PNG text or
 * XMP); null when no server offers the route (a static host), so the caller encodes here without them.
 */
async function encodeOnServer(req: ExportRequest): Promise<HostResult<Blob> | null> {
  const { image, ...rest } = req;
  const header: ExportHeader = { ...rest, width: image.width, height: image.height };
  let r: Response;
  try {
    r = await fetch(routeUrl(routes.export, {}), {
      method: routes.export.verb,
      // A copy: the body needs its own ArrayBuffer (the pixels may sit in a shared one).
      body: new Uint8Array(image.data),
      headers: { 'Content-Type': 'application/octet-stream', [EXPORT_HEADER]: encodeURIComponent(JSON.stringify(header)) },
    });
  } catch {
    return null;
  }
  if (r.status === 404 || r.status === 405) return null;
  if (!r.ok) return (await r.json().catch(() => ({ ok: false, error: `The local server could not encode it (HTTP ${r.status}).` }))) as { ok: false; error: string };
  return { ok: true, value: await r.blob() };
}

/** Encodes an animation on our own server (sharp; a browser has no animated WebP/GIF encoder); the frames go as one raw body. */
async function encodeAnimationOnServer(req: ExportAnimationRequest): Promise<HostResult<Blob>> {
  const { frames, ...rest } = req;
  const { width, height } = frames[0] ?? { width: 0, height: 0 };
  const header: ExportAnimationHeader = { ...rest, width, height, count: frames.length };
  const body = new Uint8Array(width * height * 4 * frames.length);
  frames.forEach((f, i) => body.set(f.data, i * width * height * 4));
  let r: Response;
  try {
    r = await fetch(routeUrl(routes.animation, {}), {
      method: routes.animation.verb,
      body,
      headers: { 'Content-Type': 'application/octet-stream', [EXPORT_ANIMATION_HEADER]: encodeURIComponent(JSON.stringify(header)) },
    });
  } catch {
    return { ok: false, error: 'Saving an animation needs the local server (npm run web) or the desktop app.' };
  }
  if (!r.ok) return (await r.json().catch(() => ({ ok: false, error: `The local server could not encode it (HTTP ${r.status}).` }))) as { ok: false; error: string };
  return { ok: true, value: await r.blob() };
}

/** Hands a blob to the browser as a download named `name`. */
function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function loadSettings(): Settings {
  try {
    return { ...defaultSettings, ...(JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>) };
  } catch {
    return { ...defaultSettings };
  }
}

/** Creates the browser host. Models come from the local server's /api/models when it offers them. */
export function createWebHost(): HostApi {
  // Crash recovery lives in the origin's private file system; without one (an old browser) none is kept.
  const recovery = createOpfsRecovery();
  return {
    kind: 'web',
    openDialog: async () => {
      const f = await pickFile();
      return f ? openFile(f.name, f) : null;
    },
    openBytes: (name, bytes) => openFile(name, new Blob([new Uint8Array(bytes)])),
    fullImage: async (docId) => {
      try {
        const got = await readPixels(await fetch(routeUrl(routes.full, { docId }), { method: routes.full.verb }));
        return got.ok ? { ok: true, value: got.value.image } : got;
      } catch (e) {
        return { ok: false, error: `The full image could not be loaded (${e instanceof Error ? e.message : String(e)}).` };
      }
    },
    openRecent: () => Promise.resolve({ ok: false, error: 'The browser version keeps no recent files; open the file again.' }),
    recentList: () => Promise.resolve([]),
    exportImage: async (req) => {
      try {
        const encoded = (await encodeOnServer(req)) ?? { ok: true, value: await encodeInBrowser(req) };
        if (!encoded.ok) return encoded;
        download(encoded.value, req.suggestedName);
        return { ok: true, value: { name: req.suggestedName, bytes: encoded.value.size } };
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    },
    exportBytes: (req) => {
      const type = { npy: 'application/octet-stream', csv: 'text/csv', png16: 'image/png' }[req.kind];
      const blob = new Blob([new Uint8Array(req.bytes)], { type });
      download(blob, req.suggestedName);
      return Promise.resolve({ ok: true, value: { name: req.suggestedName, bytes: blob.size } });
    },
    exportAnimation: async (req) => {
      const encoded = await encodeAnimationOnServer(req);
      if (!encoded.ok) return encoded;
      download(encoded.value, req.suggestedName);
      return { ok: true, value: { name: req.suggestedName, bytes: encoded.value.size } };
    },
    getSettings: () => Promise.resolve(loadSettings()),
    setSettings: (patch) => {
      const next = { ...loadSettings(), ...patch };
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(next));
      return Promise.resolve(next);
    },
    listModels: async () => {
      try {
        const r = await fetch(routeUrl(routes.models, {}), { method: routes.models.verb });
        return r.ok ? ((await r.json()) as ModelEntry[]) : [];
      } catch {
        return [];
      }
    },
    installModel: async (id) => {
      const r = await fetch(routeUrl(routes.install, { id }), { method: routes.install.verb });
      return (await r.json()) as HostResult<ModelEntry>;
    },
    cancelInstall: () => undefined,
    saveTrainedModel: async (req) => {
      try {
        const r = await fetch(routeUrl(routes.trained, {}), { method: routes.trained.verb, headers: { 'content-type': 'application/json' }, body: JSON.stringify(encodeBinary(req)) });
        return (await r.json()) as HostResult<ModelEntry>;
      } catch {
        return { ok: false, error: 'Saving a trained model needs the local server (npm run web) or the desktop app.' };
      }
    },
    importModel: () => importModelFolder(routeUrl(routes.trained, {}), routes.trained.verb),
    saveRecovery: (image, info) => recovery?.save(image, info).catch(() => null) ?? Promise.resolve(null),
    saveRecoveryTiles: (update, info) => recovery?.saveTiles(update, info).catch(() => null) ?? Promise.resolve(null),
    takeRecovery: () => recovery?.take().catch(() => null) ?? Promise.resolve(null),
    clearRecovery: () => recovery?.clear().catch(() => undefined) ?? Promise.resolve(),
    setDocumentEdited: (edited, title) => {
      document.title = `${edited ? '• ' : ''}${title} — Onirique`;
    },
    setProgress: () => undefined,
    onOpenDocument: () => undefined,
    onMenuCommand: () => undefined,
    onModelsChanged: (handler) => pollModels(handler),
  };
}

/** How often the browser asks the local server for its model list (it cannot push to a plain page). */
const MODEL_POLL_MS = 5000;

/**
 * Calls `handler` when the server's model list changes (an install, import or removal by another
 * tab or the CLI): polled while the tab is visible, and at once when it becomes visible again.
 * A static host without the route (404) is not polled further.
 */
function pollModels(handler: () => void): void {
  let last: string | null = null;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState === 'hidden') return;
    try {
      const r = await fetch(routeUrl(routes.models, {}), { method: routes.models.verb });
      if (r.status === 404) {
        stopped = true;
        return clearInterval(timer);
      }
      if (!r.ok) return;
      const text = await r.text();
      if (last !== null && text !== last) handler();
      last = text;
    } catch {
      // No server answered this time; the next tick asks again.
    }
  };
  const timer = setInterval(() => void tick(), MODEL_POLL_MS);
  document.addEventListener('visibilitychange', () => void tick());
  void tick();
}
