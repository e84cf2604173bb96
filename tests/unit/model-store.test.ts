/** The catalog download path, run for real against a local HTTP server serving ../shared/models. */
import { mkdtemp, mkdir, readdir, readFile, rm, truncate, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HostProgress } from '../../src/host/host-contract';
import { HostServices } from '../../src/services/host-services';
import { readModelArtifacts } from '../../src/services/model-artifacts';
import { DEFAULT_MODEL_ID, catalogModel } from '../../src/services/model-catalog';
import { ModelStore } from '../../src/services/model-store';
import { closedPortUrl, sha256Of, sharedMobilenet, sharedPhotos, startModelServer, type TestServer } from './model-store-server';

const id = DEFAULT_MODEL_ID;
let server: TestServer;
let userData: string;

beforeAll(async () => {
  server = await startModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  userData = await mkdtemp(path.join(tmpdir(), 'onirique-models-'));
  server.faults.corrupt.clear();
  server.faults.dropAfter.clear();
  server.faults.missing.clear();
  server.faults.hang.clear();
  server.faults.slowMs = 0;
});
afterEach(async () => {
  await rm(userData, { recursive: true, force: true });
});

/** Every folder name in the cache root (partials included). */
async function cacheFolders(): Promise<string[]> {
  return (await readdir(path.join(userData, 'models')).catch(() => [] as string[])).sort();
}

async function expectNothingInstalled(store: ModelStore): Promise<void> {
  const entry = (await store.list()).find((m) => m.id === id);
  expect(entry?.installed).toBe(false);
  expect(entry?.url).toBeNull();
  expect(await store.installedDir(id)).toBeNull();
  expect((await cacheFolders()).filter((n) => n.startsWith('.partial-'))).toEqual([]);
}

describe('catalog', () => {
  it('records the size and SHA-256 of every file of the shared copy, model.json first then manifest order', async () => {
    const model = catalogModel(id)!;
    const manifest = JSON.parse(await readFile(path.join(sharedMobilenet, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    expect(model.files.map((f) => f.name)).toEqual(['model.json', ...manifest.weightsManifest.flatMap((g) => g.paths)]);
    expect(model.files).toHaveLength(56);
    for (const f of model.files) expect(f.sha256, f.name).toBe(await sha256Of(path.join(sharedMobilenet, f.name)));
    const labels = JSON.parse(await readFile(path.join(sharedMobilenet, 'imagenet_labels.json'), 'utf8')) as string[];
    expect(model.labels).toEqual(labels);
  });
});

describe('install', () => {
  it('downloads, verifies and caches the model with monotonic progress reaching the total', async () => {
    const store = new ModelStore(userData, { baseUrl: server.baseUrl });
    expect((await store.list())[0]).toMatchObject({ id, installed: false, url: null });
    const events: HostProgress[] = [];
    const entry = await store.install(id, { onProgress: (p) => events.push(p) });
    expect(entry).toMatchObject({ id, installed: true, url: `models/${id}/model.json`, inputSize: 224, range: '-1..1', format: 'layers-model' });
    expect(entry.sha256).toBe(await sha256Of(path.join(sharedMobilenet, 'model.json')));
    expect(entry.labels).toHaveLength(1000);
    expect(entry.labels?.[967]).toBe('espresso');

    const total = catalogModel(id)!.files.reduce((a, f) => a + f.bytes, 0);
    expect(total).toBe(10_407_904 + 49_403);
    expect(events.length).toBeGreaterThan(10);
    for (let i = 1; i < events.length; i++) expect(events[i]!.done).toBeGreaterThanOrEqual(events[i - 1]!.done);
    expect(events.every((e) => e.total === total)).toBe(true);
    expect(events.at(-1)!.done).toBe(total);

    const folder = path.join(userData, 'models', id);
    for (const f of catalogModel(id)!.files) {
      const [a, b] = await Promise.all([readFile(path.join(folder, f.name)), readFile(path.join(sharedMobilenet, f.name))]);
      expect(a.equals(b), f.name).toBe(true);
    }
    expect(await cacheFolders()).toEqual([id]);
    const marker = JSON.parse(await readFile(path.join(folder, 'installed.json'), 'utf8')) as { files: unknown[]; sha256: string };
    expect(marker.files).toHaveLength(56);

    // Installed means no network: a second install only re-hashes the cached files.
    const before = server.requests.length;
    await expect(store.install(id)).resolves.toMatchObject({ installed: true });
    expect(server.requests.length).toBe(before);
  });

  it('produces a model tfjs loads from the cache and that classifies a real photo (coffee → espresso)', async () => {
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to start');
    await tf.ready();
    const store = new ModelStore(userData, { baseUrl: server.baseUrl });
    await store.install(id);
    const { format, artifacts } = await readModelArtifacts((await store.installedDir(id))!);
    expect(format).toBe('layers-model');
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const { data } = await sharp(path.join(sharedPhotos, 'coffee.png')).removeAlpha().resize(224, 224, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    const before = tf.memory().numTensors;
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(data, (v) => v / 127.5 - 1), [1, 224, 224, 3]);
      return (model.predict(x) as tf.Tensor).dataSync();
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    let best = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
    expect(probs).toHaveLength(1000);
    expect((await store.get(id))!.labels![best]).toBe('espresso');
  });

  it('refuses a corrupted shard with a checksum message and installs nothing; a retry then succeeds', async () => {
    server.faults.corrupt.add('group31-shard1of1');
    const store = new ModelStore(userData, { baseUrl: server.baseUrl });
    await expect(store.install(id)).rejects.toThrow('file “group31-shard1of1” is corrupted (checksum mismatch); nothing was installed.');
    await expectNothingInstalled(store);
    expect(await cacheFolders()).toEqual([]);
    server.faults.corrupt.clear();
    await expect(store.install(id)).resolves.toMatchObject({ installed: true });
  });

  it('reports a connection dropped mid-body and installs nothing', async () => {
    server.faults.dropAfter.set('group29-shard1of1', 1_000_000);
    const store = new ModelStore(userData, { baseUrl: server.baseUrl });
    await expect(store.install(id)).rejects.toThrow(/connection dropped while downloading “group29-shard1of1” \(\d+ of 3076000 bytes received\); nothing was installed/);
    await expectNothingInstalled(store);
  });

  it('reports HTTP errors with the status and file', async () => {
    server.faults.missing.add('group7-shard1of1');
    const store = new ModelStore(userData, { baseUrl: server.baseUrl });
    await expect(store.install(id)).rejects.toThrow(/HTTP 404 .*“group7-shard1of1”.*nothing was installed/);
    await expectNothingInstalled(store);
  });

  it('gives up on a stalled transfer', async () => {
    server.faults.hang.add('model.json');
    const store = new ModelStore(userData, { baseUrl: server.baseUrl, stallTimeoutMs: 300 });
    await expect(store.install(id)).rejects.toThrow(/download of “model.json” stalled .*nothing was installed/);
    await expectNothingInstalled(store);
  });

  it('cancels mid-download through the AbortSignal and installs nothing', async () => {
    server.faults.slowMs = 5;
    const store = new ModelStore(userData, { baseUrl: server.baseUrl });
    const controller = new AbortController();
    let seen = 0;
    const p = store.install(id, {
      signal: controller.signal,
      onProgress: (e) => {
        seen = e.done;
        if (e.done > 500_000) controller.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBeGreaterThan(500_000);
    expect(seen).toBeLessThan(catalogModel(id)!.files.reduce((a, f) => a + f.bytes, 0));
    await expectNothingInstalled(store);
  });

  it('says clearly when the server cannot be reached', async () => {
    const store = new ModelStore(userData, { baseUrl: await closedPortUrl() });
    await expect(store.install(id)).rejects.toThrow(/^Could not reach 127\.0\.0\.1:\d+ to download MobileNet v1 0\.75 \(224, ImageNet\); check your connection, then retry\.$/);
    await expectNothingInstalled(store);
  });

  it('takes the base URL from ONIRIQUE_MODEL_BASE_URL when no option is given', async () => {
    process.env.ONIRIQUE_MODEL_BASE_URL = server.baseUrl.slice(0, -1);
    try {
      const store = new ModelStore(userData);
      expect(store.baseUrl).toBe(server.baseUrl);
      await expect(store.install(id)).resolves.toMatchObject({ installed: true });
    } finally {
      delete process.env.ONIRIQUE_MODEL_BASE_URL;
    }
  });

  it('never lists a folder without a complete marker and file set; cleans stale partial folders', async () => {
    const store = new ModelStore(userData, { baseUrl: server.baseUrl });
    await store.install(id);
    const folder = path.join(userData, 'models', id);
    await truncate(path.join(folder, 'group5-shard1of1'), 100);
    expect((await store.get(id))!.installed).toBe(false);
    // install() notices the damage and downloads again.
    await expect(store.install(id)).resolves.toMatchObject({ installed: true });
    await rm(path.join(folder, 'installed.json'));
    expect((await store.get(id))!.installed).toBe(false);

    const stale = path.join(userData, 'models', '.partial-x-123');
    const fresh = path.join(userData, 'models', '.partial-y-456');
    await mkdir(stale);
    await mkdir(fresh);
    const old = new Date(Date.now() - 3_600_000);
    await utimes(stale, old, old);
    await store.list();
    expect(await cacheFolders()).toEqual(['.partial-y-456', id]);
  });
});

describe('HostServices wiring', () => {
  it('installs, reports cancel and failures as HostResult errors fit to show', async () => {
    const host = new HostServices(userData, { baseUrl: server.baseUrl });
    const controller = new AbortController();
    controller.abort();
    expect(await host.installModel(id, { signal: controller.signal })).toEqual({ ok: false, error: 'Download cancelled; nothing was installed.' });
    expect(await host.installModel('nope')).toEqual({ ok: false, error: 'There is no model “nope” in the catalog.' });
    expect(await host.installModel(42)).toMatchObject({ ok: false });
    server.faults.corrupt.add('model.json');
    expect(await host.installModel(id)).toEqual({ ok: false, error: 'File “model.json” is corrupted (checksum mismatch); nothing was installed.' });
    server.faults.corrupt.clear();
    const r = await host.installModel(id);
    expect(r.ok && r.value.installed).toBe(true);
    expect((await host.listModels()).map((m) => [m.id, m.installed])).toEqual([[id, true]]);
  });
});
