/** POST api/open reads an upload only once its length and first bytes pass, into one buffer, a few at a time. */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostServices } from '../../src/services/host-services';
import type { Route } from '../../src/web-server/http';
import { documentRoutes } from '../../src/web-server/web-documents';
import { startWebServer } from '../../src/web-server/web-server';
import { photosDir, tempDir } from './files-fixtures';
import { rawRequest, sameOrigin } from './web-request';

const LIMIT = 16 * 2 ** 20;
const CHUNK = 64 * 1024;

let server: Server;
let url: string;
let cleanup: () => Promise<void>;
let png: Buffer;
// Server side of each upload's connection, in arrival order: bytesRead is what the server took from it.
const sockets: Socket[] = [];

beforeAll(async () => {
  const t = await tempDir('onirique-webup-');
  cleanup = t.cleanup;
  const services = new HostServices(join(t.dir, 'ud'));
  await services.init();
  png = await readFile(join(photosDir, 'chelsea.png'));
  const spy: Route = (req) => {
    if (req.url?.startsWith('/api/open')) sockets.push(req.socket);
    return Promise.resolve(false);
  };
  ({ server, url } = await startWebServer({ root: t.dir, port: 0, routes: [spy, documentRoutes(services, { maxBytes: LIMIT, concurrent: 1, waiting: 1 })] }));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await cleanup();
});

const settle = () => new Promise((ok) => setTimeout(ok, 300));
const text = (i: number) => Buffer.alloc(CHUNK, `line ${i} of a long text file\n`);

async function arrived(n: number): Promise<void> {
  while (sockets.length < n) await new Promise((ok) => setTimeout(ok, 5));
  await new Promise((ok) => setTimeout(ok, 30));
}

describe('POST /api/open upload limits', () => {
  it('refuses an upload without Content-Length (411) and one declaring more than the limit (413), before reading it', async () => {
    const chunked = await rawRequest(url, '/api/open?name=a.png', { method: 'POST', headers: { ...sameOrigin(url), 'Transfer-Encoding': 'chunked' }, body: { chunks: 256, chunk: () => png.subarray(0, CHUNK) } });
    expect(chunked.status).toBe(411);
    const before = sockets.length;
    const big = await rawRequest(url, '/api/open?name=big.png', {
      method: 'POST',
      headers: { ...sameOrigin(url), 'Content-Length': String(LIMIT + 1) },
      body: { chunks: Math.ceil((LIMIT + 1) / CHUNK), chunk: (i) => (i === 0 ? png.subarray(0, CHUNK) : Buffer.alloc(CHUNK)).subarray(0, Math.min(CHUNK, LIMIT + 1 - i * CHUNK)) },
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ ok: false, error: '“big.png” is larger than 16 MiB.' });
    expect(big.headers.connection).toBe('close');
    await settle();
    expect(sockets[before]!.bytesRead).toBeLessThan(1024 * 1024);
  });

  it('refuses a non-image after its first chunk (415), reading no more of it and closing the connection', async () => {
    const before = sockets.length;
    const chunks = LIMIT / CHUNK;
    const r = await rawRequest(url, '/api/open?name=notes.jpg', { method: 'POST', headers: { ...sameOrigin(url), 'Content-Length': String(LIMIT) }, body: { chunks, chunk: text } });
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: expect.stringMatching(/“notes\.jpg” is a text file, not an image/) });
    await settle();
    const socket = sockets[before]!;
    // Of 16 MiB declared, the server took the first chunk and what sat in the socket buffers, then hung up.
    expect(socket.bytesRead).toBeLessThan(1024 * 1024);
    expect(socket.destroyed).toBe(true);
  });

  it('still opens an image within the limit, sent in chunks', async () => {
    const chunks = Math.ceil(png.length / CHUNK);
    const r = await rawRequest(url, '/api/open?name=chelsea.png', {
      method: 'POST',
      headers: { ...sameOrigin(url), 'Content-Length': String(png.length) },
      body: { chunks, chunk: (i) => png.subarray(i * CHUNK, (i + 1) * CHUNK) },
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(451 * 300 * 4));
  });

  it('reads and decodes one upload at a time here, queues one more, and answers 503 beyond', async () => {
    let resume = () => {};
    const hold = new Promise<void>((ok) => (resume = ok));
    const finished: string[] = [];
    const n = sockets.length;
    const slow = rawRequest(url, '/api/open?name=slow.png', {
      method: 'POST',
      headers: { ...sameOrigin(url), 'Content-Length': String(png.length) },
      body: { chunks: Math.ceil(png.length / CHUNK), chunk: (i) => png.subarray(i * CHUNK, (i + 1) * CHUNK), hold },
    }).then((r) => (finished.push('slow'), r));
    await arrived(n + 1);
    const queued = rawRequest(url, '/api/open?name=queued.png', { method: 'POST', headers: sameOrigin(url), body: png }).then((r) => (finished.push('queued'), r));
    await arrived(n + 2);
    const refused = await rawRequest(url, '/api/open?name=third.png', { method: 'POST', headers: sameOrigin(url), body: png });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ ok: false, error: expect.stringContaining('“third.png”') });
    expect(finished).toEqual([]);
    resume();
    expect((await slow).status).toBe(200);
    expect((await queued).status).toBe(200);
    expect(finished).toEqual(['slow', 'queued']);
  });
});
