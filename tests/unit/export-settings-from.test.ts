/** `--settings-from` re-applies an export's filter exactly; the browser's export route encodes with the parameters. */
import { mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { filterCommand } from '../../src/filter/filter-command';
import { readImageParameters } from '../../src/services/encode';
import { HostServices } from '../../src/services/host-services';
import { startWebServer, webRoutes } from '../../src/web-server/web-server';
import { EXPORT_HEADER } from '../../src/host/host-contract';
import { encodeImage } from '../../src/services/encode';

function photo(w: number, h: number) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([(i * 3) % 256, (i * 5) % 256, (i >> 2) % 256, 255], i * 4);
  return { width: w, height: h, data };
}

async function pixels(path: string): Promise<Buffer> {
  return sharp(path).ensureAlpha().raw().toBuffer();
}

describe('onirique filter --settings-from', () => {
  it('re-applies the exported filter: the same pixels as the original run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onirique-settings-'));
    const input = join(dir, 'in.png');
    await sharp(await encodeImage(photo(40, 30), { format: 'png' })).toFile(input);
    const first = join(dir, 'first.png');
    expect(await filterCommand(['--kernel', 'gaussian', '--param', 'sigma=1.5', '--border', 'wrap', '--channels', 'rgb', input, first])).toBe(0);
    const again = join(dir, 'again.png');
    expect(await filterCommand(['--settings-from', first, input, again])).toBe(0);
    expect((await pixels(again)).equals(await pixels(first))).toBe(true);
    // A default run differs: the settings really came from the file.
    const plain = join(dir, 'plain.png');
    expect(await filterCommand([input, plain])).toBe(0);
    expect((await pixels(plain)).equals(await pixels(first))).toBe(false);
  });

  it('refuses a file without Onirique settings, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onirique-settings-'));
    const input = join(dir, 'in.png');
    await sharp(await encodeImage(photo(8, 8), { format: 'png' })).toFile(input);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(filterCommand(['--settings-from', input, input, join(dir, 'out.png')])).rejects.toThrow(/carries no Onirique settings/);
  });
});

describe('POST api/export (the browser host download)', () => {
  it('answers the encoded file with its parameters in XMP (and PNG text)', async () => {
    const services = new HostServices(await mkdtemp(join(tmpdir(), 'onirique-export-')));
    await services.init();
    const { server, url } = await startWebServer({ root: tmpdir(), port: 0, routes: webRoutes(services) });
    try {
      for (const format of ['png', 'webp'] as const) {
        const img = photo(12, 10);
        const metadata = { 'onirique:operation': 'filter', 'onirique:kernel': 'sobel' };
        const header = { width: 12, height: 10, format, quality: 80, suggestedName: `x.${format}`, metadata };
        const r = await fetch(new URL('api/export', url), {
          method: 'POST',
          body: new Uint8Array(img.data),
          headers: { [EXPORT_HEADER]: encodeURIComponent(JSON.stringify(header)), Origin: url.replace(/\/$/, '') },
        });
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toBe(`image/${format}`);
        expect(await readImageParameters(new Uint8Array(await r.arrayBuffer()))).toEqual(metadata);
      }
    } finally {
      await new Promise((ok) => (server as Server).close(ok));
    }
  });
});
