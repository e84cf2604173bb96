/** `onirique gradcam --settings-from`: a gradcam export re-applied gives the same overlay; typed flags win. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gradcamCommand } from '../../src/explain/gradcam-command';
import { encodeImage } from '../../src/services/encode';
import { readPngText } from '../../src/services/png-text';
import { modelDir, photoPath, useBackend } from './net-fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'settings-from-gradcam-'));
beforeAll(() => useBackend('wasm'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function gradcam(args: string[]): Promise<number> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return await gradcamCommand(['--model', modelDir, ...args]);
  } finally {
    log.mockRestore();
  }
}

describe('onirique gradcam --settings-from', () => {
  it('re-applies method, class, layer, colormap, alpha, fit, smoothing and eps: the same overlay bytes', async () => {
    const input = photoPath('coffee.png');
    const first = path.join(dir, 'first.png');
    const made = ['--method', 'gradcam++', '--class', '504', '--layer', 'conv_pw_11_relu', '--colormap', 'viridis', '--alpha', '0.3', '--fit', 'center-crop', '--smooth', '--eps', '1e-4'];
    expect(await gradcam([...made, input, first])).toBe(0);
    const again = path.join(dir, 'again.png');
    expect(await gradcam(['--settings-from', first, input, again])).toBe(0);
    expect(readFileSync(again).equals(readFileSync(first))).toBe(true);
    expect(readPngText(readFileSync(again))).toMatchObject({ 'onirique:method': 'gradcam++', 'onirique:class': '504', 'onirique:layer': 'conv_pw_11_relu', 'onirique:fit': 'center-crop', 'onirique:smooth': 'true', 'onirique:gradcampp-eps': '0.0001' });
    // A default run differs: the settings really came from the file.
    const plain = path.join(dir, 'plain.png');
    expect(await gradcam([input, plain])).toBe(0);
    expect(readFileSync(plain).equals(readFileSync(first))).toBe(false);
  });

  it('lets typed flags win over the restored ones', async () => {
    const input = photoPath('coffee.png');
    const first = path.join(dir, 'scorecam.png');
    expect(await gradcam(['--method', 'scorecam', '--score-channels', '8', '--colormap', 'inferno', '--alpha', '0.6', input, first])).toBe(0);
    const out = path.join(dir, 'scorecam-alpha.png');
    expect(await gradcam(['--settings-from', first, '--alpha', '0.9', input, out])).toBe(0);
    expect(readPngText(readFileSync(out))).toMatchObject({ 'onirique:method': 'scorecam', 'onirique:scorecam-channels': '8', 'onirique:colormap': 'inferno', 'onirique:alpha': '0.9' });
  });

  it('refuses a file without Onirique parameters with one line naming it', async () => {
    const plain = path.join(dir, 'no-params.png');
    await sharp(await encodeImage({ width: 8, height: 8, data: new Uint8ClampedArray(256).fill(200) }, { format: 'png' })).toFile(plain);
    const run = gradcam(['--settings-from', plain, photoPath('coffee.png'), path.join(dir, 'x.png')]);
    await expect(run).rejects.toThrow(new RegExp(`^${plain}: carries no Onirique settings [^\\n]*$`));
  });
});
