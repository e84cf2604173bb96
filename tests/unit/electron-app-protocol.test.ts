/**
 * The real app:// handler (src/electron/app-protocol.ts) against a fake Electron: it serves the
 * built renderer and the model cache from temp folders with the isolation headers, and 404s the rest.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { net, protocol, resetElectronMock, type ProtocolHandler } from './electron-mock';
import { APP_ORIGIN, registerAppScheme, setupAppProtocol } from '../../src/electron/app-protocol';
import { modelFileForUrl } from '../../src/services/model-files';

vi.mock('electron', () => import('./electron-mock'));

const CSP = "default-src 'none'; script-src 'self'";
let base: string;
let rendererDir: string;
let userDataDir: string;
let secretPath: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'onirique-app-protocol-')));
  rendererDir = join(base, 'renderer');
  userDataDir = join(base, 'userData');
  secretPath = join(base, 'secret.txt');
  const model = join(userDataDir, 'models', 'mobilenet');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await mkdir(join(rendererDir, 'tfjs-wasm'), { recursive: true });
  await mkdir(model, { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Onirique</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(rendererDir, 'tfjs-wasm', 'backend.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d]));
  await writeFile(join(model, 'model.json'), '{"format":"layers-model"}');
  await writeFile(join(userDataDir, 'settings.json'), '{"secret":true}');
  await writeFile(secretPath, 'SECRET');
  // Links planted inside both roots that point out of them, and one that stays inside.
  await symlink(secretPath, join(rendererDir, 'leak.txt'));
  await symlink(secretPath, join(model, 'leak.bin'));
  await symlink(join(userDataDir, 'settings.json'), join(model, 'weights.bin'));
  await symlink(join(rendererDir, 'index.html'), join(rendererDir, 'alias.html'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

beforeEach(() => {
  resetElectronMock();
  setupAppProtocol(rendererDir, CSP, (id, file) => modelFileForUrl(userDataDir, id, file));
});

function handler(): ProtocolHandler {
  const h = protocol.handlers.get('app');
  if (!h) throw new Error('setupAppProtocol installed no app:// handler');
  return h;
}

async function get(url: string): Promise<Response> {
  return handler()(new Request(url));
}

/** Paths net.fetch was asked for, as real paths. */
function fetchedPaths(): string[] {
  return net.fetch.mock.calls.map(([input]) => fileURLToPath(String(input)));
}

describe('registerAppScheme', () => {
  it('registers app:// as a privileged standard, secure, fetchable, streaming scheme with code cache', () => {
    registerAppScheme();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    expect(protocol.registerSchemesAsPrivileged.mock.calls[0]![0]).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
    ]);
    expect(APP_ORIGIN).toBe('app://onirique');
  });
});

describe('app:// serves the renderer and the model cache', () => {
  it('answers / and /index.html with the page and the isolation headers', async () => {
    for (const url of [`${APP_ORIGIN}/`, `${APP_ORIGIN}/index.html`]) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(await res.text(), url).toBe('<!doctype html><title>Onirique</title>');
      expect(res.headers.get('Cross-Origin-Opener-Policy'), url).toBe('same-origin');
      expect(res.headers.get('Cross-Origin-Embedder-Policy'), url).toBe('require-corp');
      expect(res.headers.get('Content-Security-Policy'), url).toBe(CSP);
    }
  });

  it('serves assets in subfolders, wasm as application/wasm', async () => {
    const js = await get(`${APP_ORIGIN}/assets/app.js?v=1#x`);
    expect(js.status).toBe(200);
    expect(await js.text()).toBe('console.log(1)');
    // A script may be the worker, whose policy is its own: tfjs-wasm's pthreads need blob: scripts there.
    expect(js.headers.get('Content-Security-Policy')).toBe("default-src 'none'; script-src 'self' blob:");
    const wasm = await get(`${APP_ORIGIN}/tfjs-wasm/backend.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('Content-Type')).toBe('application/wasm');
    expect(wasm.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
  });

  it('serves a cached model file under /models/<id>/<file> with the same headers', async () => {
    const res = await get(`${APP_ORIGIN}/models/mobilenet/model.json`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"format":"layers-model"}');
    expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(res.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(res.headers.get('Content-Security-Policy')).toBe(CSP);
  });

  it('follows a symlink that stays inside the renderer folder', async () => {
    const res = await get(`${APP_ORIGIN}/alias.html`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Onirique');
  });

  it('only ever fetches files inside the renderer folder or a model folder', async () => {
    await get(`${APP_ORIGIN}/index.html`);
    await get(`${APP_ORIGIN}/models/mobilenet/model.json`);
    const roots = [rendererDir + sep, join(userDataDir, 'models', 'mobilenet') + sep];
    expect(fetchedPaths()).toHaveLength(2);
    for (const p of fetchedPaths()) expect(roots.some((r) => p.startsWith(r)), p).toBe(true);
  });
});

describe('app:// answers 404 to everything else, without reading the file', () => {
  const notFound: [string, string][] = [
    ['a missing file', '/nope.js'],
    ['a folder', '/assets'],
    ['a folder with a slash', '/assets/'],
    ['dot-dot segments', '/../../etc/passwd'],
    ['dot-dot segments to a real file', '/../secret.txt'],
    ['encoded dots', '/%2e%2e/%2e%2e/etc/passwd'],
    ['encoded dots and slash', '/%2e%2e%2fsecret.txt'],
    ['encoded slashes', '/..%2f..%2fsecret.txt'],
    ['double-encoded dots', '/%252e%252e%252fsecret.txt'],
    ['a backslash', '/..\\secret.txt'],
    ['an encoded backslash', '/..%5csecret.txt'],
    ['an absolute path', '//etc/passwd'],
    ['the absolute path of a real file', '/SECRET_ABS'],
    ['the absolute path of a real file, doubled slash', '//SECRET_ABS'],
    ['a drive letter', '/C:/Windows/win.ini'],
    ['a null byte', '/index.html%00.js'],
    ['a malformed escape', '/%E0%A4%A'],
    ['a symlink out of the renderer', '/leak.txt'],
    ['a model symlink out of the cache', '/models/mobilenet/leak.bin'],
    ['a model symlink to userData', '/models/mobilenet/weights.bin'],
    ['a model id that climbs', '/models/%2e%2e/settings.json'],
    ['a model file that climbs', '/models/mobilenet/%2e%2e%2f%2e%2e%2fsettings.json'],
    ['a model file with a backslash', '/models/mobilenet/..%5c..%5csettings.json'],
    ['a model path too deep', '/models/mobilenet/sub/model.json'],
    ['a missing model file', '/models/mobilenet/group1-shard1of1.bin'],
    ['a malformed model escape', '/models/mobilenet/%E0'],
  ];

  it.each(notFound)('%s (%s)', async (_what, path) => {
    // SECRET_ABS stands for the secret file's absolute path, known only once the temp folder exists.
    const res = await get(`${APP_ORIGIN}${path.replace('SECRET_ABS', secretPath.slice(1))}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('SECRET');
    expect(net.fetch).not.toHaveBeenCalled();
  });

  it.each([
    ['another host', 'app://evil/index.html'],
    ['a look-alike host', 'app://onirique.evil/index.html'],
    ['no host', 'app:///index.html'],
    ['a host with a port', 'app://onirique:8080/index.html'],
  ])('%s (%s)', async (_what, url) => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(net.fetch).not.toHaveBeenCalled();
  });
});
