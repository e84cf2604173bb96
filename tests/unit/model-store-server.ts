/** Fixtures for the model-store tests: a real HTTP server on 127.0.0.1 serving ../shared/models, with faults on demand. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** Repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..');
/** ../shared/models: what the test server serves. */
export const sharedModels = path.resolve(repoRoot, '..', 'shared', 'models');
/** The shared MobileNet folder. */
export const sharedMobilenet = path.join(sharedModels, 'mobilenet_v1_0.75_224');
/** ../shared/photos. */
export const sharedPhotos = path.resolve(repoRoot, '..', 'shared', 'photos');

/** What the server does wrong, per file name (mutable between requests). */
export interface Faults {
  /** Serve these files with one byte flipped (same length). */
  corrupt: Set<string>;
  /** Announce the full length, send this many bytes, then destroy the socket. */
  dropAfter: Map<string, number>;
  /** Answer these with 404. */
  missing: Set<string>;
  /** Send headers, then nothing (until the client gives up). */
  hang: Set<string>;
  /** Send the body in 16 KiB pieces with this delay between them (ms), to let a test act mid-download. */
  slowMs: number;
}

/** A running fault-injecting server. */
export interface TestServer {
  baseUrl: string;
  faults: Faults;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the server on a random port of 127.0.0.1, serving `root` (default ../shared/models; tests pass crafted folders). */
export async function startModelServer(root: string = sharedModels): Promise<TestServer> {
  const faults: Faults = { corrupt: new Set(), dropAfter: new Map(), missing: new Set(), hang: new Set(), slowMs: 0 };
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push(url.pathname);
      const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
      const file = path.resolve(root, rel);
      const name = path.basename(file);
      if (!file.startsWith(root + path.sep) || faults.missing.has(name)) {
        res.writeHead(404).end('not found');
        return;
      }
      let body: Buffer;
      try {
        body = Buffer.from(await readFile(file));
      } catch {
        res.writeHead(404).end('not found');
        return;
      }
      if (faults.corrupt.has(name)) body[Math.floor(body.length / 2)]! ^= 0xff;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
      if (faults.hang.has(name)) return;
      const drop = faults.dropAfter.get(name);
      if (drop !== undefined) {
        res.write(body.subarray(0, drop), () => setTimeout(() => res.destroy(), 20));
        return;
      }
      if (faults.slowMs > 0) {
        for (let i = 0; i < body.length; i += 16_384) {
          if (res.destroyed) return;
          res.write(body.subarray(i, i + 16_384));
          await new Promise((r) => setTimeout(r, faults.slowMs));
        }
        res.end();
        return;
      }
      res.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

/** SHA-256 (hex) of a file, computed here independently of the service code. */
export async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}
