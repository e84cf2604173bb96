/** `onirique train` bad data (clear message, nothing written), `onirique network`'s table, and the teach compute helpers. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/cli-main';
import { planViews, renderView } from '../../src/teach/compute/augment';
import { confusionMatrix, formatConfusion, matrixAccuracy } from '../../src/teach/compute/confusion';
import { stratifiedSplit } from '../../src/teach/compute/split';
import { modelDir, useBackend } from './net-fixtures';
import { writePatchData } from './teach-fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'onirique-teach-data-'));
let good = '';
beforeAll(async () => {
  await useBackend('wasm');
  good = await writePatchData(path.join(root, 'good'), ['coffee.png', 'rocket.jpg']);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture(): { out: string[]; err: string[]; restore: () => void } {
  const o: string[] = [];
  const e: string[] = [];
  const a = vi.spyOn(console, 'log').mockImplementation((m: unknown) => void o.push(String(m)));
  const b = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void e.push(String(m)));
  return { out: o, err: e, restore: () => (a.mockRestore(), b.mockRestore()) };
}

/** A copy of the good data set, changed by `edit`; returns its folder. */
function variant(name: string, edit: (dir: string) => void): string {
  const dir = path.join(root, name);
  for (const cls of ['coffee', 'rocket']) {
    mkdirSync(path.join(dir, cls), { recursive: true });
    for (let i = 0; i < 6; i++) if (existsSync(path.join(good, cls, `cell-${i}.png`))) copyFileSync(path.join(good, cls, `cell-${i}.png`), path.join(dir, cls, `cell-${i}.png`));
  }
  edit(dir);
  return dir;
}

async function train(data: string, out: string, extra: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const code = await main(['train', '--data', data, '--out', out, '--model', modelDir, '--epochs', '2', ...extra]);
  c.restore();
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
}

describe('onirique train: bad data gets a clear message and nothing is written', () => {
  it.each([
    ['one class', (d: string) => rmSync(path.join(d, 'rocket'), { recursive: true }), /at least 2 classes .*found 1 \(“coffee”\)/],
    ['an empty class', (d: string) => mkdirSync(path.join(d, 'empty')), /class “empty” has no usable photos/],
    ['a class of one photo', (d: string) => (mkdirSync(path.join(d, 'lonely')), copyFileSync(path.join(good, 'coffee', 'cell-0.png'), path.join(d, 'lonely', 'a.png')), rmSync(path.join(d, 'coffee', 'cell-0.png'))), /class “lonely” has only 1 usable photo; each class needs at least 2/],
    ['a photo in two classes', (d: string) => copyFileSync(path.join(d, 'coffee', 'cell-1.png'), path.join(d, 'rocket', 'stray.png')), /same photo is in two classes.*coffee\/cell-1\.png and rocket\/stray\.png/],
    ['a class left with one decodable photo', (d: string) => { for (let i = 1; i < 6; i++) writeFileSync(path.join(d, 'rocket', `cell-${i}.png`), Buffer.from(`broken ${i}`)); }, /class “rocket” has only 1 usable photo/],
  ])('%s', async (name, edit, message) => {
    const out = path.join(root, `out-${name.replace(/\W+/g, '-')}`);
    const r = await train(variant(`bad-${name.replace(/\W+/g, '-')}`, edit), out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a corrupt or huge photo is skipped with a line and training goes on', async () => {
    const data = variant('skips', (d) => {
      const png = readFileSync(path.join(d, 'coffee', 'cell-0.png'));
      writeFileSync(path.join(d, 'coffee', 'truncated.png'), png.subarray(0, png.length >> 1));
      // A real PNG whose header claims 40000 x 40000 pixels: refused from the header, before decoding.
      const huge = Buffer.from(png);
      huge.writeUInt32BE(40000, 16);
      huge.writeUInt32BE(40000, 20);
      writeFileSync(path.join(d, 'rocket', 'huge.png'), huge);
    });
    const out = path.join(root, 'out-skips');
    const r = await train(data, out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^skipped: .*truncated\.png \(.*(truncated|damaged).*\)$/m);
    expect(r.out).toMatch(/^skipped: .*huge\.png \(.*40,000 x 40,000 pixels.*\)$/m);
    expect(r.out).toMatch(/2 skipped/);
    expect(existsSync(path.join(out, 'model.json'))).toBe(true);
  });

  it('refuses to replace a folder that is not a model folder, before any compute', async () => {
    const mine = path.join(root, 'my-stuff');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'notes.txt'), 'keep me');
    const r = await train(good, mine);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not an Onirique model folder/);
    expect(readFileSync(path.join(mine, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('usage mistakes exit 2', async () => {
    for (const argv of [['train', '--data', good], ['train', '--data', good, '--out', 'x', '--val', '1.5'], ['train', '--data', good, '--out', 'x', '--augment', 'rotate']]) {
      const c = capture();
      expect(await main(argv)).toBe(2);
      c.restore();
    }
  });
});

describe('onirique network', () => {
  it('prints each layer with type, kernel, stride, output shape, parameters and receptive field', async () => {
    const c = capture();
    expect(await main(['network', '--model', modelDir, '--json'])).toBe(0);
    c.restore();
    const rows = JSON.parse(c.out.join('\n')) as { name: string; type: string; kernel: string; stride: string; outputShape: number[]; params: number; receptiveField: number | string }[];
    const by = new Map(rows.map((r) => [r.name, r]));
    expect(by.get('conv1')).toEqual({ name: 'conv1', type: 'Conv2D', kernel: '3x3', stride: '2x2', outputShape: [112, 112, 24], params: 648, receptiveField: 3 });
    expect(by.get('conv_dw_1')).toMatchObject({ type: 'DepthwiseConv2D', kernel: '3x3', stride: '1x1', params: 216, receptiveField: 7 });
    // MobileNet v1's last conv sees 315 pixels (the standard figure for a 224 input with 'same' padding ignored).
    expect(by.get('conv_pw_13_relu')).toMatchObject({ outputShape: [7, 7, 768], receptiveField: 315 });
    expect(by.get('global_average_pooling2d_1')!.receptiveField).toBe('all');
    expect(rows.reduce((s, r) => s + r.params, 0)).toBe(2_601_976);
  });

  it('prints a text table by default', async () => {
    const c = capture();
    expect(await main(['network', '--model', modelDir])).toBe(0);
    c.restore();
    expect(c.out.join('\n')).toMatch(/^conv1 +Conv2D +3x3 +2x2 +112x112x24 +648 +3$/m);
    expect(c.out.join('\n')).toMatch(/2,601,976 parameters/);
  });
});

describe('teach helpers', () => {
  it('splits by class, keeping a training and a validation photo per class', () => {
    const labels = [0, 0, 0, 0, 0, 1, 1, 2, 2, 2];
    const s = stratifiedSplit(labels, 3, 0.2, 7);
    expect([...s.train, ...s.val].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (const c of [0, 1, 2]) {
      expect(s.val.filter((i) => labels[i] === c).length).toBe(1);
      expect(s.train.filter((i) => labels[i] === c).length).toBeGreaterThanOrEqual(1);
    }
    expect(stratifiedSplit(labels, 3, 0.2, 7)).toEqual(s);
  });

  it('counts a confusion matrix and prints it with class names', () => {
    const m = confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2);
    expect(m).toEqual([[1, 1], [1, 2]]);
    expect(matrixAccuracy(m)).toBeCloseTo(0.6);
    expect(formatConfusion(m, ['cat', 'dog']).split('\n')[1]).toMatch(/^cat +1 +1$/);
  });

  it('view 0 is the whole photo unchanged; augmented views stay inside the photo and in 0..255', () => {
    const o = { flip: true, crop: true, jitter: true, views: 6 };
    const plans = planViews(300, 200, o, 5);
    expect(plans[0]).toEqual({ rect: { x: 0, y: 0, w: 300, h: 200 }, flip: false, brightness: 1, contrast: 1, saturation: 1 });
    expect(planViews(300, 200, o, 5)).toEqual(plans);
    for (const p of plans) expect(p.rect.x >= 0 && p.rect.y >= 0 && p.rect.x + p.rect.w <= 300 && p.rect.y + p.rect.h <= 200).toBe(true);
    expect(plans.some((p) => p.flip) && plans.some((p) => p.rect.w < 300) && plans.some((p) => p.brightness !== 1)).toBe(true);
    const img = { width: 300, height: 200, data: new Uint8ClampedArray(300 * 200 * 4).map((_, i) => (i * 37) % 256) };
    for (const p of plans) {
      const v = renderView(img, p, 32);
      expect(v.length).toBe(32 * 32 * 3);
      expect(Math.min(...v) >= 0 && Math.max(...v) <= 255).toBe(true);
    }
  });
});
