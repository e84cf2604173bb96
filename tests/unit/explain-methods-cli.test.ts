/** `onirique gradcam`'s method flags: the new methods, --score-channels N|all, the conventions, recorded in the PNG text. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { camMethodParams, parseCamMethodArgs } from '../../src/explain/compute/cam-method-args';
import { gradcamCommand, gradcamUsage } from '../../src/explain/gradcam-command';
import { readPngText } from '../../src/services/png-text';
import { camParams, type CamRecord } from '../../src/explain/ui/cam-export';
import { modelDir, photoPath, useBackend } from './net-fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'onirique-cli-methods-'));
beforeAll(() => useBackend('wasm'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('method flags', () => {
  it('parse N|all, the upsampling convention and eps; refuse bad values', () => {
    expect(parseCamMethodArgs({ 'score-channels': 'all' })).toMatchObject({ scoreCamChannels: 0, scoreCamUpsample: 'half-pixel', gradCamPlusPlusEps: 1e-6, eigenSmooth: false });
    expect(parseCamMethodArgs({ 'score-channels': '64', 'score-upsample': 'align-corners', eps: '0', 'eigen-smooth': true })).toEqual({
      scoreCamChannels: 64,
      scoreCamUpsample: 'align-corners',
      gradCamPlusPlusEps: 0,
      eigenSmooth: true,
    });
    expect(() => parseCamMethodArgs({ 'score-channels': '0' })).toThrow(/--score-channels/);
    expect(() => parseCamMethodArgs({ 'score-channels': 'most' })).toThrow(/--score-channels/);
    expect(() => parseCamMethodArgs({ 'score-upsample': 'legacy' })).toThrow(/--score-upsample/);
    expect(() => parseCamMethodArgs({ eps: '-1' })).toThrow(/--eps/);
    for (const m of ['hirescam', 'xgradcam', 'layercam', 'eigencam', 'eigengradcam', 'ablationcam', '--score-channels N|all', '--eigen-smooth']) expect(gradcamUsage).toContain(m);
  });

  it('record what shaped the map: Score-CAM channels as N or all, its convention, Grad-CAM++ eps, eigen smoothing', () => {
    expect(camMethodParams('scorecam', { scoreCamChannels: 0 })).toEqual({ 'onirique:scorecam-channels': 'all', 'onirique:scorecam-upsample': 'half-pixel', 'onirique:eigen-smooth': 'false' });
    expect(camMethodParams('gradcam++', {})).toEqual({ 'onirique:gradcampp-eps': '0.000001', 'onirique:eigen-smooth': 'false' });
    expect(camMethodParams('eigencam', { eigenSmooth: true })).toEqual({});
    // The panel's exports record the same keys.
    const settings = { method: 'scorecam' as const, layer: 'conv_pw_13_relu', fit: 'resize' as const, tilesAcross: 2, smooth: false, scoreCamChannels: 0, scoreCamUpsample: 'align-corners' as const };
    const cam = { settings, classIndex: 1, label: 'x', prob: 1, width: 1, height: 1, raw: new Float32Array(1), heat: new Float32Array(1), model: { id: 'm', name: 'm', sha256: null }, source: 's.png' } satisfies CamRecord;
    expect(camParams(cam, null)).toMatchObject({ 'onirique:scorecam-channels': 'all', 'onirique:scorecam-upsample': 'align-corners' });
  });

  it('run the new methods from the command line', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const a = path.join(dir, 'layercam.png');
      expect(await gradcamCommand(['--model', modelDir, '--method', 'layercam', '--eigen-smooth', photoPath('coffee.png'), a])).toBe(0);
      expect(readPngText(readFileSync(a))).toMatchObject({ 'onirique:method': 'layercam', 'onirique:eigen-smooth': 'true', 'onirique:class': '967' });
      const b = path.join(dir, 'scorecam.png');
      expect(await gradcamCommand(['--model', modelDir, '--method', 'scorecam', '--score-channels', '16', '--score-upsample', 'align-corners', photoPath('coffee.png'), b])).toBe(0);
      expect(readPngText(readFileSync(b))).toMatchObject({ 'onirique:method': 'scorecam', 'onirique:scorecam-channels': '16', 'onirique:scorecam-upsample': 'align-corners' });
    } finally {
      log.mockRestore();
    }
  });
});
