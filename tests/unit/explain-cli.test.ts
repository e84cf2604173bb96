/** `onirique gradcam` / `classify` commands: exported files decode and carry their parameters. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { classifyCommand } from '../../src/explain/classify-command';
import { gradcamCommand } from '../../src/explain/gradcam-command';
import { defaultModelDir, readModelDir } from '../../src/cli/model-files';
import { readPngText } from '../../src/services/png-text';
import { modelDir, photoPath, useBackend } from './net-fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'onirique-cli-'));
beforeAll(() => useBackend('wasm'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradcam command', () => {
  it('writes an overlay PNG with its parameters, a 16-bit heatmap and a raw .npy at the photo size', async () => {
    const out = path.join(dir, 'cam.png');
    const heat = path.join(dir, 'heat.png');
    const raw = path.join(dir, 'cam.npy');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const code = await gradcamCommand(['--model', modelDir, '--method', 'gradcam++', '--colormap', 'viridis', '--alpha', '0.4', '--raw', raw, '--heatmap', heat, photoPath('coffee.png'), out]);
    log.mockRestore();
    expect(code).toBe(0);
    const png = readFileSync(out);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([600, 400]);
    const text = readPngText(png);
    const sha = (await readModelDir(modelDir)).sha256;
    expect(text).toMatchObject({
      'onirique:method': 'gradcam++',
      'onirique:class': '967',
      'onirique:layer': 'conv_pw_13_relu',
      'onirique:colormap': 'viridis',
      'onirique:alpha': '0.4',
      'onirique:model-sha256': sha,
    });
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    const h = await sharp(readFileSync(heat)).metadata();
    expect([h.width, h.height, h.depth, h.channels]).toEqual([600, 400, 'ushort', 1]);
    expect(readPngText(readFileSync(heat))['onirique:class']).toBe('967');
    const shape = execFileSync('/usr/bin/python3', ['-c', `import numpy as np; a = np.load(${JSON.stringify(raw)}); print(a.dtype, a.shape, float(a.max()) > 0, float(a.min()) >= 0)`]).toString().trim();
    expect(shape).toBe('float32 (400, 600) True True');
  });

  it('rejects bad options with a clear message', async () => {
    await expect(gradcamCommand(['--method', 'nope', 'a.png', 'b.png'])).rejects.toThrow(/--method must be one of/);
    await expect(gradcamCommand(['--alpha', '2', 'a.png', 'b.png'])).rejects.toThrow(/--alpha/);
    await expect(gradcamCommand(['--model', dir, photoPath('coffee.png'), path.join(dir, 'x.png')])).rejects.toThrow(/no model.json/);
  });
});

describe('classify command', () => {
  it('prints the top-5 as "P%  label (index)"', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    expect(await classifyCommand(['--model', modelDir, photoPath('coffee.png')])).toBe(0);
    log.mockRestore();
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ ?\d{1,3}\.\d% {2}espresso \(967\)$/);
  });

  it('defaults to $ONIRIQUE_MODEL_DIR, else the app model cache', () => {
    expect(defaultModelDir({ ONIRIQUE_MODEL_DIR: '/m' })).toBe('/m');
    const prev = process.env.ONIRIQUE_USER_DATA;
    process.env.ONIRIQUE_USER_DATA = '/u';
    expect(defaultModelDir({})).toBe('/u/models/mobilenet_v1_0.75_224');
    if (prev === undefined) delete process.env.ONIRIQUE_USER_DATA;
    else process.env.ONIRIQUE_USER_DATA = prev;
  });
});
