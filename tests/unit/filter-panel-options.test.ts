/** The Filter panel sends the engine the same options the CLI builds for the same choices. */
import { describe, expect, it } from 'vitest';
import { filterOptionsFromArgs } from '../../src/filter/filter-command';
import {
  applyPresetDefaults,
  buildFilterOptions,
  defaultPanelSettings,
  defaultParams,
  kernelFileName,
  normaliseKernel,
  parseSourceValue,
  presetDefaults,
  resizeMatrix,
  saveUserKernel,
  setCell,
  sourceValue,
  suggestedOutput,
  toUserKernel,
  zeroSumClipped,
  type PanelModel,
} from '../../src/filter/ui/panel-options';
import { kernelFileText, parseKernelFile } from '../../src/filter/compute/filter-kernel';
import { defaultFilterOptions, type FilterOptions } from '../../src/filter/compute/filter-options';

const model = (over: Partial<PanelModel> = {}): PanelModel => ({
  source: { kind: 'preset', name: 'edges-horizontal' },
  params: {},
  custom: { name: 'custom', matrix: [[0, 0, 0], [0, 1, 0], [0, 0, 0]] },
  settings: { ...defaultPanelSettings, channelMask: [true, true, true] },
  ...over,
});

function built(m: PanelModel): FilterOptions {
  const r = buildFilterOptions(m);
  if (!r.ok) throw new Error(r.error);
  return r.options;
}

describe('panel options equal the CLI options', () => {
  it('defaults: the article kernel with the engine defaults (what the foundation e2e applies)', async () => {
    const cli = await filterOptionsFromArgs(['in.png', 'out.png']);
    expect(built(model())).toEqual(cli.options);
    expect(built(model())).toEqual({ ...defaultFilterOptions, channelMask: [true, true, true] });
  });

  it('sobel-magnitude with its preset output', async () => {
    const cli = await filterOptionsFromArgs(['--kernel', 'sobel-magnitude', 'a.png', 'b.png']);
    const m = model({ source: { kind: 'preset', name: 'sobel-magnitude' }, settings: { ...defaultPanelSettings, output: 'abs-max' } });
    expect(built(m)).toEqual(cli.options);
  });

  it('gaussian with parameters and every geometry option', async () => {
    const cli = await filterOptionsFromArgs([
      '--kernel', 'gaussian', '--param', 'sigma=2.5', '--param', 'size=9', '--channels', 'rgb', '--mask', 'rb',
      '--border', 'wrap', '--mode', 'valid', '--stride', '2', '--dilation', '3', '--flip', '--output', 'abs', '--normalise', 'a.png', 'b.png',
    ]);
    const m = model({
      source: { kind: 'preset', name: 'gaussian' },
      params: { sigma: 2.5, size: 9 },
      settings: { channels: 'rgb', channelMask: [true, false, true], border: 'wrap', mode: 'valid', stride: 2, dilation: 3, flip: true, output: 'abs', normalise: true, tileSize: 0, combine: null },
    });
    expect(built(m)).toEqual(cli.options);
  });

  it('a custom kernel equals --kernel-file of its exported text', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const custom = { name: 'ridge', matrix: [[1, 2, 0], [0, 1, -1], [0, 0, -2]], divisor: 2, offset: 20 };
    const file = join(await mkdtemp(join(tmpdir(), 'onirique-panel-')), kernelFileName(custom));
    await writeFile(file, kernelFileText(custom));
    const cli = await filterOptionsFromArgs(['--kernel-file', file, '--output', 'clamp', '--border', 'replicate', 'a.png', 'b.png']);
    const m = model({ source: { kind: 'custom' }, custom, settings: { ...defaultPanelSettings, output: 'clamp', border: 'replicate' } });
    expect(built(m)).toEqual(cli.options);
  });

  it('gradient pairs may switch magnitude ↔ direction; other combines stay the preset’s', () => {
    const s = { ...defaultPanelSettings, combine: 'direction' as const };
    expect(built(model({ source: { kind: 'preset', name: 'sobel-magnitude' }, settings: s })).combine).toBe('direction');
    expect(built(model({ source: { kind: 'preset', name: 'kirsch' }, params: defaultParams('kirsch'), settings: s })).combine).toBe('max');
    expect(built(model({ source: { kind: 'preset', name: 'sobel-x' }, settings: s })).combine).toBe('none');
  });

  it('bad parameters and geometry give a message instead of options', () => {
    const r = buildFilterOptions(model({ source: { kind: 'preset', name: 'gaussian' }, params: { sigma: 99, size: 0 } }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/sigma must be a number from 0.1 to 10/);
    const s = buildFilterOptions(model({ settings: { ...defaultPanelSettings, stride: 0 } }));
    expect(s.ok).toBe(false);
  });
});

describe('editor helpers', () => {
  it('resizing keeps the old values centred', () => {
    const m = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    expect(resizeMatrix(m, 5, 5)).toEqual([
      [0, 0, 0, 0, 0],
      [0, 1, 2, 3, 0],
      [0, 4, 5, 6, 0],
      [0, 7, 8, 9, 0],
      [0, 0, 0, 0, 0],
    ]);
    expect(resizeMatrix(m, 1, 3)).toEqual([[4, 5, 6]]);
    expect(resizeMatrix(resizeMatrix(m, 7, 4), 3, 3)).toEqual(m);
  });

  it('setCell copies; normalise sets GIMP divisor and offset; sum decides the output', () => {
    const k = { matrix: [[1, 1], [1, 1]] };
    const k2 = setCell(k, 1, 0, -3);
    expect(k.matrix).toEqual([[1, 1], [1, 1]]);
    expect(k2.matrix).toEqual([[1, 1], [-3, 1]]);
    expect(normaliseKernel(k)).toEqual({ matrix: [[1, 1], [1, 1]], divisor: 4, offset: 0 });
    expect(normaliseKernel({ matrix: [[-1, 0, 1]] })).toEqual({ matrix: [[-1, 0, 1]], divisor: 1, offset: 128 });
    expect(normaliseKernel({ matrix: [[-2, 0, -1]] })).toEqual({ matrix: [[-2, 0, -1]], divisor: 3, offset: 255 });
    expect(suggestedOutput({ matrix: [[-1, 0, 1]] })).toBe('abs-max');
    expect(suggestedOutput({ matrix: [[1, 2, 1]] })).toBe('clamp');
  });

  it('zero-sum warning only when the clamped output is centred on 0', () => {
    const base = { ...defaultFilterOptions, kernel: { matrix: [[-1, 0, 1]] } };
    expect(zeroSumClipped({ ...base, output: 'clamp' })).toBe(true);
    expect(zeroSumClipped({ ...base, output: 'abs' })).toBe(false);
    expect(zeroSumClipped({ ...base, output: 'clamp', normalise: true })).toBe(false);
    expect(zeroSumClipped({ ...base, output: 'clamp', kernel: { ...base.kernel, offset: 128 } })).toBe(false);
    expect(zeroSumClipped({ ...base, output: 'clamp', kernel: { matrix: [[1, 0, 1]] } })).toBe(false);
  });

  it('user kernels round-trip through the kernel-file format and replace by name', () => {
    const u = toUserKernel({ name: 'x', matrix: [[1, 2], [3, 4]], divisor: 1, offset: 0 }, 'mine');
    expect(u).toEqual({ name: 'mine', matrix: [[1, 2], [3, 4]] });
    expect(parseKernelFile(kernelFileText(u))).toEqual(u);
    const list = saveUserKernel([u, { name: 'other', matrix: [[1]] }], { name: 'mine', matrix: [[5]] });
    expect(list).toEqual([{ name: 'mine', matrix: [[5]] }, { name: 'other', matrix: [[1]] }]);
    expect(kernelFileName({ name: 'My kernel / v2', matrix: [[1]] })).toBe('My-kernel-v2.json');
    for (const v of ['edges-horizontal', 'user:a:b', 'custom']) expect(sourceValue(parseSourceValue(v))).toBe(v);
  });

  it('presets bring sensible defaults: photo filters on R, G, B with reflect; edges and derivatives on luminance, |value| or magnitude', () => {
    for (const name of ['gaussian', 'box', 'sharpen', 'unsharp']) {
      expect(presetDefaults(name), name).toEqual({ channels: 'rgb', border: 'reflect', output: 'clamp' });
    }
    for (const name of ['edges-horizontal', 'sobel-x', 'prewitt-y', 'scharr-magnitude', 'laplacian-4', 'log', 'dog', 'kirsch']) {
      expect(presetDefaults(name), name).toEqual({ channels: 'luma', output: 'abs-max' });
    }
    const magnitude = buildFilterOptions(model({ source: { kind: 'preset', name: 'sobel-magnitude' } }));
    expect(magnitude.ok && magnitude.options.combine).toBe('magnitude');
  });

  it('picking a preset reports only the settings it changed, and leaves the rest to the user', () => {
    const s = { ...defaultPanelSettings, channelMask: [true, false, true] as [boolean, boolean, boolean], stride: 2 };
    expect(applyPresetDefaults(s, 'gaussian')).toEqual([
      { key: 'channels', value: 'rgb' },
      { key: 'border', value: 'reflect' },
      { key: 'output', value: 'clamp' },
    ]);
    expect(s).toMatchObject({ channels: 'rgb', channelMask: [true, true, true], border: 'reflect', output: 'clamp', stride: 2 });
    expect(applyPresetDefaults(s, 'box')).toEqual([]);
    // An edge preset after a blur: luminance and |value| again; the user's border stays.
    expect(applyPresetDefaults(s, 'sobel-x')).toEqual([{ key: 'channels', value: 'luma' }, { key: 'output', value: 'abs-max' }]);
    expect(s.border).toBe('reflect');
  });

  it('the tile size reaches the engine (0 or a bad value = automatic)', () => {
    const at = (tileSize: number) => {
      const b = buildFilterOptions(model({ settings: { ...defaultPanelSettings, tileSize } }));
      return b.ok ? b.options.tileSize : null;
    };
    expect(at(160)).toBe(160);
    expect(at(0)).toBe(0);
    expect(at(Number.NaN)).toBe(0);
  });
});
