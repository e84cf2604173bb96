/** Raw HTTP requests for the web server's tests: any Host header, exact paths, and bodies sent lazily. */
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** What came back, plus how many body bytes the client had handed to its socket by then. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  sent: number;
}

/** Options of rawRequest: a body is a buffer sent at once, or chunks pulled only as the socket drains. */
export interface RawOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | { chunks: number; chunk: (i: number) => Buffer; hold?: Promise<void> };
}

/**
 * One request to `base` (http://127.0.0.1:port/) for the exact `path`. A lazy body stops being sent
 * once the answer arrives (or waits on `hold` after its first chunk), so a test can see how much of
 * it the server took. A reset after the answer is expected for a refused upload and ignored.
 */
export function rawRequest(base: string, path: string, opts: RawOptions = {}): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    // A fresh connection each time (agent: false), so the server socket's byte count is this request's.
    const req = request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path, headers: opts.headers, agent: false }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sent }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sent }));
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const body = opts.body;
    if (body === undefined) return void req.end();
    if (Buffer.isBuffer(body)) return void req.end(body);
    let i = 0;
    const pump = () => {
      while (!answered && i < body.chunks) {
        const c = body.chunk(i++);
        sent += c.length;
        const more = req.write(c);
        if (i === 1 && body.hold) return void body.hold.then(pump);
        if (!more) return void req.once('drain', pump);
      }
      if (i >= body.chunks) req.end();
    };
    pump();
  });
}

/** Headers a same-origin page of `base` sends with a POST or a CORS-mode fetch. */
export function sameOrigin(base: string): Record<string, string> {
  return { Origin: new URL(base).origin, 'Sec-Fetch-Site': 'same-origin' };
}
