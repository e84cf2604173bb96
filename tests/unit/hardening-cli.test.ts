/** CLI hardening: paths checked before any compute, masks decoded like photos, every output through the atomic writer. */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dreamCommand } from '../../src/dream/dream-command';
import { classifyCommand } from '../../src/explain/classify-command';
import { gradcamCommand } from '../../src/explain/gradcam-command';
import { filterCommand } from '../../src/filter/filter-command';
import { pngBombHeader, tempDir } from './files-fixtures';
import { modelDir, photoPath, useBackend } from './net-fixtures';

/** Every atomic write is recorded; one whose target matches `failing` fails as a full disk would. */
const writes = vi.hoisted(() => ({ targets: [] as string[], failing: null as RegExp | null }));
vi.mock('../../src/services/atomic-write', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/services/atomic-write')>();
  return {
    ...real,
    writeFileAtomic: async (target: string, content: Uint8Array | AsyncIterable<Uint8Array>) => {
      writes.targets.push(target);
      if (writes.failing?.test(target)) throw new real.FileWriteError(`Could not write “${target}”: the disk is full; nothing was changed.`, 'ENOSPC');
      return real.writeFileAtomic(target, content);
    },
  };
});

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let photo = '';
beforeAll(async () => {
  await useBackend('wasm');
  ({ dir, cleanup } = await tempDir('onirique-hardening-cli-'));
  photo = join(dir, 'small.png');
  await sharp(photoPath('coffee.png')).resize(96, 64).png().toFile(photo);
});
afterEach(() => Object.assign(writes, { targets: [], failing: null }));
afterAll(() => cleanup());

/** Runs a command and returns how long it took to fail, with the error's message. */
async function timedFailure(run: () => Promise<number>): Promise<{ ms: number; message: string }> {
  const t0 = performance.now();
  const err = await run().then(() => new Error('no error'), (e: unknown) => e as Error);
  return { ms: performance.now() - t0, message: err.message };
}

describe('output paths are checked before any decoding or compute', () => {
  it('dream IN out.bmp fails in milliseconds and names the extension (no dream step runs)', async () => {
    // The full 600 x 400 photo: a single dream step on it takes far longer than the check.
    const { ms, message } = await timedFailure(() => dreamCommand(['--steps', '3', '--model', modelDir, '--quiet', photoPath('coffee.png'), join(dir, 'out.bmp')]));
    expect(message).toMatch(/out\.bmp: unknown output extension “\.bmp”/);
    expect(ms).toBeLessThan(300);
    expect(writes.targets).toEqual([]);
  });

  it.each([
    ['filter', (out: string) => filterCommand(['--kernel', 'box', photo, out])],
    ['dream', (out: string) => dreamCommand(['--steps', '1', '--model', modelDir, '--quiet', photo, out])],
    ['gradcam', (out: string) => gradcamCommand(['--model', modelDir, photo, out])],
  ])('%s refuses a missing output folder and an output that is a folder, naming the path', async (_name, run) => {
    const missing = join(dir, 'no-such-folder', 'out.png');
    expect((await timedFailure(() => run(missing))).message).toBe(`${missing}: the folder “${join(dir, 'no-such-folder')}” does not exist`);
    const folder = join(dir, 'folder.png');
    await mkdir(folder, { recursive: true });
    expect((await timedFailure(() => run(folder))).message).toBe(`${folder}: is a folder`);
    expect((await timedFailure(() => run(join(dir, 'out.gif')))).message).toMatch(/out\.gif: unknown output extension “\.gif”/);
  });

  it('gradcam checks --raw and --heatmap extensions, and every command the input, before loading the model', async () => {
    const out = join(dir, 'cam.png');
    const raw = await timedFailure(() => gradcamCommand(['--model', modelDir, '--raw', join(dir, 'cam.txt'), photo, out]));
    expect(raw.message).toMatch(/cam\.txt: unsupported extension “\.txt” \(use \.npy or \.csv\)/);
    const heat = await timedFailure(() => gradcamCommand(['--model', modelDir, '--heatmap', join(dir, 'heat.jpg'), photo, out]));
    expect(heat.message).toMatch(/heat\.jpg: unsupported extension “\.jpg” \(use \.png\)/);
    const missing = join(dir, 'nope.png');
    for (const run of [() => gradcamCommand(['--model', dir, missing, out]), () => classifyCommand(['--model', dir, missing])]) {
      // The model folder is empty: the input must be refused before the model is even looked at.
      expect((await timedFailure(run)).message).toBe(`${missing}: no such file`);
    }
  });
});

describe('dream --mask goes through the photo decoder', () => {
  it('refuses an SVG mask in one line naming it', async () => {
    const mask = join(dir, 'mask.png');
    await writeFile(mask, '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="64"><rect width="96" height="64" fill="#fff"/></svg>');
    const { message } = await timedFailure(() => dreamCommand(['--mask', mask, '--model', modelDir, '--quiet', photo, join(dir, 'd.png')]));
    expect(message).toMatch(/^“mask\.png” is an SVG drawing/);
    expect(message).not.toContain('\n');
  });

  it('refuses an oversized mask by the photos’ pixel limit, from its header', async () => {
    const mask = join(dir, 'huge-mask.png');
    await writeFile(mask, pngBombHeader(15_000, 15_000));
    const { ms, message } = await timedFailure(() => dreamCommand(['--mask', mask, '--model', modelDir, '--quiet', photo, join(dir, 'd.png')]));
    expect(message).toMatch(/^“huge-mask\.png” is 15,000 x 15,000 pixels \(225 megapixels\); Onirique opens images up to 100 megapixels/);
    expect(ms).toBeLessThan(1000);
  });
});

describe('gradcam --heatmap is written atomically', () => {
  it('every output goes through the atomic writer; a full disk while writing the heat map leaves the previous one', async () => {
    const out = join(dir, 'g.png');
    const heat = join(dir, 'heat.png');
    const raw = join(dir, 'g.npy');
    await writeFile(heat, 'previous heat map');
    writes.failing = /heat\.png$/;
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { message } = await timedFailure(() => gradcamCommand(['--model', modelDir, '--raw', raw, '--heatmap', heat, photo, out]));
    log.mockRestore();
    expect(message).toBe(`Could not write “${heat}”: the disk is full; nothing was changed.`);
    expect(writes.targets).toEqual([out, raw, heat]);
    expect(await readFile(heat, 'utf8')).toBe('previous heat map');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});
