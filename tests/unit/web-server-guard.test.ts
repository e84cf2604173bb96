/** The web server answers only its own loopback names, only our page on the API, never framed, and 400 on bad URLs. */
import type { Server } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/electron/security';
import { HostServices } from '../../src/services/host-services';
import { workerScriptCsp } from '../../src/web-server/http';
import { startWebServer, webRoutes } from '../../src/web-server/web-server';
import { tempDir } from './files-fixtures';
import { rawRequest, sameOrigin, type RawResponse } from './web-request';

let server: Server;
let url: string;
let port: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir('onirique-webguard-');
  cleanup = t.cleanup;
  const root = join(t.dir, 'renderer');
  await mkdir(root);
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Onirique</title>');
  await writeFile(join(root, 'app.js'), 'export {};');
  const services = new HostServices(join(t.dir, 'ud'));
  await services.init();
  // An imported model's marker names the folder it came from: exactly what a foreign page must not read.
  const model = join(t.dir, 'ud', 'models', 'demo');
  await mkdir(model, { recursive: true });
  await writeFile(join(model, 'installed.json'), JSON.stringify({ version: 1, id: 'demo', importedFrom: '/home/alice/private/demo' }));
  await writeFile(join(model, 'model.json'), '{}');
  ({ server, url } = await startWebServer({ root, port: 0, routes: webRoutes(services) }));
  port = new URL(url).port;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await cleanup();
});

const paths = ['/', '/index.html', '/app.js', '/models/demo/installed.json', '/models/demo/model.json', '/api/models', '/no-such-file'];

function expectHardened(r: RawResponse, what: string): void {
  // Scripts carry the worker variant (see below); everything else the desktop app's CSP exactly.
  expect(r.headers['content-security-policy'], what).toBe(what.endsWith('.js') && r.status === 200 ? workerScriptCsp : contentSecurityPolicy());
  expect(r.headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
  expect(r.headers['x-frame-options'], what).toBe('DENY');
  expect(r.headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(r.headers['cross-origin-embedder-policy'], what).toBe('require-corp');
  expect(r.headers['cross-origin-resource-policy'], what).toBe('same-origin');
}

describe('DNS rebinding: the Host header', () => {
  it('refuses a foreign Host with 421 on every route, static and model files included, even with same-origin fetch headers', async () => {
    const evil = `evil.example:${port}`;
    for (const path of paths) {
      const r = await rawRequest(url, path, { headers: { Host: evil, Origin: `http://${evil}`, 'Sec-Fetch-Site': 'same-origin' } });
      expect(r.status, path).toBe(421);
      expect(r.body, path).not.toContain('importedFrom');
      expectHardened(r, path);
    }
    const install = await rawRequest(url, '/api/models/demo/install', { method: 'POST', headers: { Host: evil, Origin: `http://${evil}`, 'Sec-Fetch-Site': 'same-origin' } });
    expect(install.status).toBe(421);
    // The right name on another port is another origin too.
    expect((await rawRequest(url, '/', { headers: { Host: `127.0.0.1:${Number(port) + 1}` } })).status).toBe(421);
    expect((await rawRequest(url, '/', { headers: { Host: '127.0.0.1' } })).status).toBe(421);
  });

  it('answers 127.0.0.1, localhost and [::1] on its own port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`]) {
      const r = await rawRequest(url, '/', { headers: { Host: host } });
      expect(r.status, host).toBe(200);
      expect(r.body).toContain('<title>Onirique</title>');
    }
    // A worker's fetch of a model file sends no Origin (same-origin, no-cors): the Host check is enough there.
    const marker = await rawRequest(url, '/models/demo/installed.json', { headers: { 'Sec-Fetch-Site': 'same-origin' } });
    expect(marker.status).toBe(200);
    expect(JSON.parse(marker.body)).toMatchObject({ id: 'demo' });
  });
});

describe('the API answers only our own page', () => {
  it('refuses /api/ reads and installs without a same-origin Origin or Sec-Fetch-Site (403)', async () => {
    const refused: [string, string, Record<string, string>][] = [
      ['GET', '/api/models', {}],
      ['GET', '/api/models', { 'Sec-Fetch-Site': 'cross-site' }],
      ['GET', '/api/models', { 'Sec-Fetch-Site': 'same-site' }],
      ['GET', '/api/models', { 'Sec-Fetch-Site': 'none' }],
      ['GET', '/api/models', { Origin: 'http://evil.example' }],
      ['GET', '/api/models', { Origin: 'null' }],
      ['GET', '/api/models', { Origin: `http://localhost:${port}` }],
      ['POST', '/api/models/demo/install', {}],
      ['POST', '/api/models/demo/install', { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'same-origin' }],
      ['POST', '/api/open?name=a.png', { 'Content-Length': '0' }],
      ['GET', '/api/documents/x/full', { 'Sec-Fetch-Site': 'same-site' }],
      ['GET', '/api/anything-else', {}],
    ];
    for (const [method, path, headers] of refused) {
      const r = await rawRequest(url, path, { method, headers });
      expect(r.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
      expect(r.body).not.toContain('mobilenet');
      expectHardened(r, path);
    }
  });

  it('answers what the app sends: a same-origin GET (Sec-Fetch-Site only) and a POST or CORS fetch with its Origin', async () => {
    const get = await rawRequest(url, '/api/models', { headers: { 'Sec-Fetch-Site': 'same-origin' } });
    expect(get.status).toBe(200);
    expect(JSON.parse(get.body)).toEqual(expect.arrayContaining([expect.objectContaining({ id: expect.any(String) })]));
    expect((await rawRequest(url, '/api/models', { headers: sameOrigin(url) })).status).toBe(200);
    // Opened as localhost, the page's Origin is localhost: same origin as its Host.
    expect((await rawRequest(url, '/api/models', { headers: { Host: `localhost:${port}`, Origin: `http://localhost:${port}` } })).status).toBe(200);
    expectHardened(get, 'api/models');
  });
});

describe('framing and malformed URLs', () => {
  it('sends the CSP (frame-ancestors none) and X-Frame-Options DENY on files, 404s and API errors', async () => {
    for (const path of paths) expectHardened(await rawRequest(url, path, { headers: { 'Sec-Fetch-Site': 'same-origin' } }), path);
    expectHardened(await rawRequest(url, '/models/none/model.json'), 'missing model file');
    expectHardened(await rawRequest(url, '/api/documents/none/full', { headers: sameOrigin(url) }), 'unknown document');
  });

  it('gives scripts the same CSP plus blob: scripts, which the tfjs-wasm pthread workers importScripts() under their creator worker\'s policy', async () => {
    const js = await rawRequest(url, '/app.js');
    const page = await rawRequest(url, '/');
    const directives = (csp: string | string[] | undefined) => new Map(String(csp).split('; ').map((d) => [d.split(' ')[0], d]));
    const [forJs, forPage] = [directives(js.headers['content-security-policy']), directives(page.headers['content-security-policy'])];
    expect(forJs.get('script-src')).toBe(`${forPage.get('script-src')} blob:`);
    expect(forPage.get('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
    forJs.delete('script-src');
    forPage.delete('script-src');
    expect(forJs).toEqual(forPage);
    expect(forJs.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(js.headers['x-frame-options']).toBe('DENY');
  });

  it('answers a malformed % escape with 400, the isolation and security headers, and no exception text', async () => {
    for (const path of ['/%E0%A4%A', '/assets/%ZZ.js', '/models/%E0/model.json', '/api/documents/%E0%A4%A/full']) {
      const r = await rawRequest(url, path, { headers: sameOrigin(url) });
      expect(r.status, path).toBe(400);
      expect(r.body, path).not.toMatch(/URIError|malformed|at /);
      expectHardened(r, path);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
