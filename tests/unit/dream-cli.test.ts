/** `onirique dream` on real files: mask PNG scaled to the photo, parameters and model hash in the PNG. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { dreamCommand, dreamOptionsFromArgs, readMaskFile } from '../../src/dream/dream-command';
import { readPngText } from '../../src/services/png-text';
import { modelDir, photo, useWasm } from './dream-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'dream-cli-'));

beforeAll(async () => {
  await useWasm();
});

describe('dream command', () => {
  it('parses flags into options and refuses bad values', () => {
    const o = dreamOptionsFromArgs({ layer: 'conv_pw_5_relu:0.5,conv_pw_9_relu', channels: '3,17', steps: '7', 'octave-scale': '1.3', 'step-size': '0.02' });
    expect(o.layers).toEqual([
      { name: 'conv_pw_5_relu', weight: 0.5, channels: [3, 17] },
      { name: 'conv_pw_9_relu', weight: 1, channels: [3, 17] },
    ]);
    expect([o.steps, o.octaveScale, o.stepSize, o.octaves]).toEqual([7, 1.3, 0.02, 4]);
    expect(() => dreamOptionsFromArgs({ steps: '2.5' })).toThrow(/--steps expects an integer/);
    expect(() => dreamOptionsFromArgs({ 'octave-scale': '0.9' })).toThrow(/octave scale/);
  });

  it('scales a mask PNG to the photo (white = dream)', async () => {
    const maskPath = join(dir, 'small-mask.png');
    // 4x2 mask: left half white, right half black.
    await sharp(Buffer.from([255, 255, 0, 0, 255, 255, 0, 0]), { raw: { width: 4, height: 2, channels: 1 } }).png().toFile(maskPath);
    const m = await readMaskFile(maskPath, 40, 20);
    expect(m.length).toBe(800);
    expect(m[5 * 40 + 5]).toBe(255);
    expect(m[5 * 40 + 35]).toBe(0);
  });

  it('dreams a photo inside a mask and records parameters and the model SHA-256', async () => {
    const img = await photo('chelsea.png', 112, 80);
    const inPath = join(dir, 'in.png');
    await sharp(Buffer.from(img.data), { raw: { width: 112, height: 80, channels: 4 } }).png().toFile(inPath);
    const maskPath = join(dir, 'mask.png');
    // Half-size mask (56x40): a white box, to be scaled up to 112x80.
    const mk = Buffer.alloc(56 * 40);
    for (let y = 10; y < 30; y++) for (let x = 14; x < 42; x++) mk[y * 56 + x] = 255;
    await sharp(mk, { raw: { width: 56, height: 40, channels: 1 } }).png().toFile(maskPath);
    const outPath = join(dir, 'out.png');
    const code = await dreamCommand(['--steps', '2', '--octaves', '2', '--step-size', '0.05', '--tile', '64', '--overlap', '32', '--seed', '4', '--mask', maskPath, '--model', modelDir, '--quiet', inPath, outPath]);
    expect(code).toBe(0);
    const png = readFileSync(outPath);
    const text = readPngText(png);
    expect(text['onirique:operation']).toBe('dream');
    expect(text['onirique:model-sha256']).toBe(createHash('sha256').update(readFileSync(join(modelDir, 'model.json'))).digest('hex'));
    const params = JSON.parse(text['onirique:dream-options']!) as { steps: number; seed: number; layers: { name: string }[] };
    expect([params.steps, params.seed, params.layers[0]!.name]).toEqual([2, 4, 'conv_pw_9_relu']);
    const { data } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const mask = await readMaskFile(maskPath, 112, 80);
    let outside = 0;
    let inside = 0;
    for (let p = 0; p < 112 * 80; p++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(data[p * 4 + c]! - img.data[p * 4 + c]!);
        if (mask[p] === 0) outside = Math.max(outside, d);
        else inside += d;
      }
    }
    expect(outside).toBeLessThanOrEqual(1);
    expect(inside).toBeGreaterThan(0);
  });

  it('reports a missing model folder clearly', async () => {
    await expect(dreamCommand(['--model', join(dir, 'nope'), '--quiet', join(dir, 'in.png'), join(dir, 'x.png')])).rejects.toThrow(/the folder “nope” does not exist/);
  });
});
