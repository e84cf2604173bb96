/** HostApi for a plain browser page: file input and drag-drop in, downloads out, settings in localStorage. */
import {
  DOCUMENT_HEADER, MAX_PIXELS, defaultSettings, type DocumentHeader, type ExportRequest, type HostApi, type HostResult, type ModelEntry, type OpenedDocument, type RgbaImage, type Settings,
} from '../../electron/ipc-contract';

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
    r = await fetch(`api/open?name=${encodeURIComponent(name)}`, { method: 'POST', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
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

function loadSettings(): Settings {
  try {
    return { ...defaultSettings, ...(JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>) };
  } catch {
    return { ...defaultSettings };
  }
}

/** Creates the browser host. Models come from the local server's /api/models when it offers them. */
export function createWebHost(): HostApi {
  return {
    kind: 'web',
    openDialog: async () => {
      const f = await pickFile();
      return f ? openFile(f.name, f) : null;
    },
    openBytes: (name, bytes) => openFile(name, new Blob([new Uint8Array(bytes)])),
    fullImage: async (docId) => {
      try {
        const got = await readPixels(await fetch(`api/documents/${encodeURIComponent(docId)}/full`));
        return got.ok ? { ok: true, value: got.value.image } : got;
      } catch (e) {
        return { ok: false, error: `The full image could not be loaded (${e instanceof Error ? e.message : String(e)}).` };
      }
    },
    openRecent: () => Promise.resolve({ ok: false, error: 'The browser version keeps no recent files; open the file again.' }),
    recentList: () => Promise.resolve([]),
    exportImage: async (req) => {
      try {
        const blob = await encodeInBrowser(req);
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = req.suggestedName;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        return { ok: true, value: { name: req.suggestedName, bytes: blob.size } };
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    },
    exportBytes: (req) => {
      const type = { npy: 'application/octet-stream', csv: 'text/csv', png16: 'image/png' }[req.kind];
      const blob = new Blob([new Uint8Array(req.bytes)], { type });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = req.suggestedName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      return Promise.resolve({ ok: true, value: { name: req.suggestedName, bytes: blob.size } });
    },
    getSettings: () => Promise.resolve(loadSettings()),
    setSettings: (patch) => {
      const next = { ...loadSettings(), ...patch };
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(next));
      return Promise.resolve(next);
    },
    listModels: async () => {
      try {
        const r = await fetch('api/models');
        return r.ok ? ((await r.json()) as ModelEntry[]) : [];
      } catch {
        return [];
      }
    },
    installModel: async (id) => {
      const r = await fetch(`api/models/${encodeURIComponent(id)}/install`, { method: 'POST' });
      return (await r.json()) as HostResult<ModelEntry>;
    },
    cancelInstall: () => undefined,
    importModel: () => Promise.resolve({ ok: false, error: 'Importing a model folder needs the desktop app or the CLI (onirique models import DIR).' }),
    // The browser version keeps no crash snapshot: a tab crash is rare and IndexedDB quotas vary.
    saveRecovery: () => Promise.resolve(),
    takeRecovery: () => Promise.resolve(null),
    clearRecovery: () => Promise.resolve(),
    setDocumentEdited: (edited, title) => {
      document.title = `${edited ? '• ' : ''}${title} — Onirique`;
    },
    setProgress: () => undefined,
    onOpenDocument: () => undefined,
    onMenuCommand: () => undefined,
  };
}
