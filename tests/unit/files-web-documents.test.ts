/** The browser host's document API on the local web server: the same services, raw pixels, same-origin only. */
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_HEADER, type DocumentHeader } from '../../src/host/host-contract';
import { decodeImage } from '../../src/services/image-decode';
import { HostServices } from '../../src/services/host-services';
import { documentRoutes } from '../../src/web-server/web-documents';
import { startWebServer } from '../../src/web-server/web-server';
import { photosDir, tempDir } from './files-fixtures';
import { sameOrigin } from './web-request';

let server: Server;
let url: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir('onirique-webdocs-');
  cleanup = t.cleanup;
  const services = new HostServices(join(t.dir, 'ud'));
  await services.init();
  ({ server, url } = await startWebServer({ root: t.dir, port: 0, routes: [documentRoutes(services)] }));
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await cleanup();
});

// What our own page sends: its Origin on the POST, Sec-Fetch-Site on every fetch.
const own = () => sameOrigin(url);
const header = (r: Response) => JSON.parse(decodeURIComponent(r.headers.get(DOCUMENT_HEADER)!)) as DocumentHeader;

describe('POST /api/open and GET /api/documents/:id/full', () => {
  it('answers a 16 MP JPEG with a preview, then its full pixels, identical to the services decode', async () => {
    const bytes = await readFile(join(photosDir, 'dandelions_5312x2988.jpg'));
    const r = await fetch(`${url}api/open?name=${encodeURIComponent('pissenlits été.jpg')}`, { method: 'POST', body: bytes, headers: own() });
    expect(r.status).toBe(200);
    const doc = header(r);
    expect(doc.name).toBe('pissenlits été.jpg');
    expect(doc.fullSize).toEqual({ width: 5312, height: 2988 });
    expect((await r.arrayBuffer()).byteLength).toBe(doc.width * doc.height * 4);
    const full = await fetch(`${url}api/documents/${doc.docId}/full`, { headers: { 'Sec-Fetch-Site': 'same-origin' } });
    expect(header(full)).toMatchObject({ width: 5312, height: 2988 });
    const pixels = Buffer.from(await full.arrayBuffer());
    expect(pixels.equals(Buffer.from((await decodeImage(bytes, 'x.jpg')).image.data))).toBe(true);
    // Asked once: the kept decode is released.
    expect((await fetch(`${url}api/documents/${doc.docId}/full`, { headers: { 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(422);
  });

  it('answers a bad file with the services message (415: refused from its first bytes)', async () => {
    const r = await fetch(`${url}api/open?name=notes.jpg`, { method: 'POST', body: 'Just some text, not a picture.\n'.repeat(4), headers: own() });
    expect(r.status).toBe(415);
    expect(await r.json()).toMatchObject({ ok: false, error: expect.stringMatching(/“notes\.jpg” .*not an image/) });
  });

  it('refuses cross-site requests', async () => {
    const r = await fetch(`${url}api/open?name=a.png`, { method: 'POST', body: await readFile(join(photosDir, 'chelsea.png')), headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(r.status).toBe(403);
  });

  it('refuses requests that do not show they come from our page: no Origin nor Sec-Fetch-Site, or another Origin', async () => {
    const bytes = await readFile(join(photosDir, 'chelsea.png'));
    expect((await fetch(`${url}api/open?name=a.png`, { method: 'POST', body: bytes })).status).toBe(403);
    expect((await fetch(`${url}api/open?name=a.png`, { method: 'POST', body: bytes, headers: { Origin: 'http://rebound.example:80' } })).status).toBe(403);
    expect((await fetch(`${url}api/documents/x/full`)).status).toBe(403);
    // The same file with our page's headers opens.
    expect((await fetch(`${url}api/open?name=a.png`, { method: 'POST', body: bytes, headers: own() })).status).toBe(200);
  });
});
