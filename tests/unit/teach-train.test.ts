/** `onirique train` on a patch task from the real photos: accuracy on held-out regions, a reloadable LayersModel, Grad-CAM, no leaks, Cancel. */
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/cli-main';
import { loadModelFromDir, loadPlainNetFromDir } from '../../src/cli/model-files';
import { AbortError } from '../../src/core/job';
import { explainCam } from '../../src/explain/compute/explain';
import { viewPixels } from '../../src/explain/compute/views';
import { defaultTrainRun, runTraining } from '../../src/teach/teach-run';
import { maxAbsDiff, modelDir, useBackend } from './net-fixtures';
import { classOf, patchClasses, patchPhotos, photoCells, writePatchData } from './teach-fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'onirique-teach-'));
const data = path.join(root, 'data');
const out = path.join(root, 'model');
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  await useBackend('wasm');
  await writePatchData(data);
  // A plain static file server: the saved folder is loaded the way a web page elsewhere would.
  server = createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (!file.startsWith(root) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server?.close();
  rmSync(root, { recursive: true, force: true });
});

function capture(): { out: string[]; err: string[]; restore: () => void } {
  const o: string[] = [];
  const e: string[] = [];
  const a = vi.spyOn(console, 'log').mockImplementation((m: unknown) => void o.push(String(m)));
  const b = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void e.push(String(m)));
  return { out: o, err: e, restore: () => (a.mockRestore(), b.mockRestore()) };
}

/** Model inputs [n,224,224,3] in -1..1 for PNG crops, resized the way training and classify see them. */
async function inputsOf(pngs: Buffer[]): Promise<tf.Tensor4D> {
  const px: Float32Array[] = [];
  for (const png of pngs) {
    const { data: d, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = { width: info.width, height: info.height, data: new Uint8ClampedArray(d.buffer, d.byteOffset, d.byteLength) };
    px.push(viewPixels(img, { x: 0, y: 0, w: img.width, h: img.height }, 224));
  }
  const all = new Float32Array(px.length * 224 * 224 * 3);
  px.forEach((p, i) => all.set(p, i * p.length));
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(all, [px.length, 224, 224, 3]), 127.5), 1));
}

describe('onirique train', () => {
  it('trains, prints one line per epoch, the validation accuracy and the confusion matrix, and saves a standard model folder', async () => {
    const c = capture();
    const code = await main(['train', '--data', data, '--out', out, '--model', modelDir, '--epochs', '15', '--val', '0.25', '--lr', '0.01', '--augment', 'flip,crop,jitter', '--views', '3']);
    c.restore();
    expect(code, c.err.join('\n')).toBe(0);
    const text = c.out.join('\n');
    expect(text.match(/^epoch +\d+\/15 +loss [\d.]+ +acc [\d.]+ +val_loss [\d.]+ +val_acc [\d.]+ +ETA \d+ s$/gm)?.length).toBeGreaterThanOrEqual(6);
    const acc = Number(/validation accuracy ([\d.]+)/.exec(text)![1]);
    expect(acc).toBeGreaterThanOrEqual(0.9);
    expect(text).toMatch(/true \\ predicted +astronaut +chelsea +coffee +dandelions +rocket/);
    expect(readdirSync(out).sort()).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'labels.json', 'model.json', 'onirique-model.json']);
    const prov = JSON.parse(readFileSync(path.join(out, 'onirique-model.json'), 'utf8'));
    expect(prov.classes).toEqual(patchClasses);
    expect(prov.layer).toBe('conv_pw_13_relu');
    expect(prov.base.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(prov.modelJsonSha256).toBe(createHash('sha256').update(readFileSync(path.join(out, 'model.json'))).digest('hex'));
    expect(readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('reaches >= 0.9 on held-out cells (regions disjoint from the training ones); plain tf.loadLayersModel gives the same predictions', async () => {
    const plain = await tf.loadLayersModel(`${baseUrl}/model/model.json`);
    const { model: ours } = await loadModelFromDir(out);
    const { net } = await loadPlainNetFromDir(out);
    let right = 0;
    let total = 0;
    let maxDiff = 0;
    let maxDiffPlainOps = 0;
    for (const photo of patchPhotos) {
      const x = await inputsOf(await photoCells(photo, 'held-out'));
      const a = plain.predict(x) as tf.Tensor;
      const o = ours.predict(x) as tf.Tensor;
      const [b] = net.forward(x, ['probs']);
      const [pa, po, pb] = [await a.data(), await o.data(), await b!.data()];
      maxDiff = Math.max(maxDiff, maxAbsDiff(pa, po));
      maxDiffPlainOps = Math.max(maxDiffPlainOps, maxAbsDiff(pa, pb));
      const pred = await tf.tidy(() => tf.argMax(a, 1)).data();
      pred.forEach((p) => ((right += p === patchClasses.indexOf(classOf(photo)) ? 1 : 0), total++));
      tf.dispose([x, a, o, b!]);
    }
    net.dispose();
    ours.dispose();
    plain.dispose();
    expect(right / total).toBeGreaterThanOrEqual(0.9);
    // Over HTTP elsewhere and from the folder here: the same model, the same probabilities.
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
    // classify/gradcam run the folded plain-op rebuild of it: float rounding only (measured 8.7e-6 on wasm).
    expect(maxDiffPlainOps).toBeLessThanOrEqual(1e-4);
  });

  it('classify --model and gradcam --model name the trained classes', async () => {
    const c = capture();
    const crop = path.join(root, 'coffee-held-out.png');
    writeFileSync(crop, (await photoCells('coffee.png', 'held-out'))[0]!);
    expect(await main(['classify', '--model', out, '--top', '2', crop])).toBe(0);
    expect(await main(['gradcam', '--model', out, crop, path.join(root, 'cam.png')])).toBe(0);
    c.restore();
    expect(c.out[0]).toMatch(/^ *\d+\.\d% {2}coffee \(2\)$/);
    expect(c.out.at(-1)).toMatch(/^gradcam for coffee \(2\), [\d.]+%, layer conv_pw_13_relu → /);
  });

  it('Grad-CAM of a learned class peaks inside the region that shows it', async () => {
    const coffee = (await photoCells('coffee.png', 'held-out'))[1]!;
    const rocket = (await photoCells('rocket.jpg', 'held-out'))[1]!;
    const mosaic = await sharp({ create: { width: 256, height: 128, channels: 4, background: '#000' } })
      .composite([{ input: coffee, left: 0, top: 0 }, { input: rocket, left: 128, top: 0 }]).raw().toBuffer();
    const img = { width: 256, height: 128, data: new Uint8ClampedArray(mosaic.buffer, mosaic.byteOffset, mosaic.byteLength) };
    const { net } = await loadPlainNetFromDir(out);
    try {
      for (const [cls, inLeft] of [[patchClasses.indexOf('coffee'), true], [patchClasses.indexOf('rocket'), false]] as const) {
        const r = await explainCam(net, img, { classIndex: cls, fit: 'resize' });
        let left = 0;
        let rightSum = 0;
        for (let y = 0; y < 128; y++) {
          for (let x = 0; x < 256; x++) {
            if (x < 128) left += r.heat[y * 256 + x]!;
            else rightSum += r.heat[y * 256 + x]!;
          }
        }
        expect(inLeft ? left > rightSum : rightSum > left).toBe(true);
      }
    } finally {
      net.dispose();
    }
  });

  it('leaves no tensor behind over a training run (after a warm-up run)', async () => {
    const o = { ...defaultTrainRun, data, model: modelDir, head: { ...defaultTrainRun.head, epochs: 2 }, augment: { flip: true, crop: true, jitter: true, views: 2 } };
    await runTraining({ ...o, out: path.join(root, 'warm') });
    const before = tf.memory().numTensors;
    await runTraining({ ...o, out: path.join(root, 'again') });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Cancel stops within a batch and leaves the output folder absent, or as it was', async () => {
    const before = readFileSync(path.join(out, 'model.json'));
    for (const target of [path.join(root, 'never'), out]) {
      const ctl = new AbortController();
      let epochs = 0;
      const run = runTraining({ ...defaultTrainRun, data, out: target, model: modelDir, head: { ...defaultTrainRun.head, epochs: 50, patience: 0 } }, {
        signal: ctl.signal,
        onEpoch: () => (epochs++, ctl.abort()),
      });
      await expect(run).rejects.toBeInstanceOf(AbortError);
      expect(epochs).toBe(1);
    }
    expect(existsSync(path.join(root, 'never'))).toBe(false);
    expect(readFileSync(path.join(out, 'model.json')).equals(before)).toBe(true);
    expect(readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
