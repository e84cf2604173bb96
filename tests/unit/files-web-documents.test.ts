/** The browser host's document API on the local web server: the same services, raw pixels, same-origin only. */
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_HEADER, type DocumentHeader } from '../../electron/ipc-contract';
import { decodeImage } from '../../electron/services/image-decode';
import { HostServices } from '../../electron/services/host-services';
import { documentRoutes } from '../../electron/web-documents';
import { startWebServer } from '../../electron/web-server';
import { photosDir, tempDir } from './files-fixtures';

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

const header = (r: Response) => JSON.parse(decodeURIComponent(r.headers.get(DOCUMENT_HEADER)!)) as DocumentHeader;

describe('POST /api/open and GET /api/documents/:id/full', () => {
  it('answers a 16 MP JPEG with a preview, then its full pixels, identical to the services decode', async () => {
    const bytes = await readFile(join(photosDir, 'dandelions_5312x2988.jpg'));
    const r = await fetch(`${url}api/open?name=${encodeURIComponent('pissenlits été.jpg')}`, { method: 'POST', body: bytes });
    expect(r.status).toBe(200);
    const doc = header(r);
    expect(doc.name).toBe('pissenlits été.jpg');
    expect(doc.fullSize).toEqual({ width: 5312, height: 2988 });
    expect((await r.arrayBuffer()).byteLength).toBe(doc.width * doc.height * 4);
    const full = await fetch(`${url}api/documents/${doc.docId}/full`);
    expect(header(full)).toMatchObject({ width: 5312, height: 2988 });
    const pixels = Buffer.from(await full.arrayBuffer());
    expect(pixels.equals(Buffer.from((await decodeImage(bytes, 'x.jpg')).image.data))).toBe(true);
    // Asked once: the kept decode is released.
    expect((await fetch(`${url}api/documents/${doc.docId}/full`)).status).toBe(422);
  });

  it('answers a bad file with the services message', async () => {
    const r = await fetch(`${url}api/open?name=notes.jpg`, { method: 'POST', body: 'Just some text, not a picture.\n'.repeat(4) });
    expect(r.status).toBe(422);
    expect(await r.json()).toMatchObject({ ok: false, error: expect.stringMatching(/“notes\.jpg” .*not an image/) });
  });

  it('refuses cross-site requests', async () => {
    const r = await fetch(`${url}api/open?name=a.png`, { method: 'POST', body: await readFile(join(photosDir, 'chelsea.png')), headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(r.status).toBe(403);
  });
});
