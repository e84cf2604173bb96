/** `onirique dream`: the Dream engine on files (mask PNG optional), parameters kept in the PNG. */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { dream } from '../../../renderer/worker/compute/dream/dream';
import { type DreamOptions, parseLayerSpec, resolveDreamOptions } from '../../../renderer/worker/compute/dream/dream-options';
import { dreamNetFromPlain } from '../../../renderer/worker/compute/dream/plain-net-dream';
import { AbortError } from '../../../renderer/worker/compute/job';
import { readImageFile, writeImageFile } from '../image-files';
import { defaultModelDir, loadPlainNetFromDir } from '../model-files';
import { UsageError } from './filter';

/** The dream command's usage (printed by --help and on a usage error). */
export const dreamUsage = `usage: onirique dream [--layer NAME[:WEIGHT],...] [--channels 3,17] [--class N] [--reduce mean|l2]
       [--steps 20] [--octaves 4] [--octave-scale 1.4] [--step-size 0.01] [--normalize std|mean-abs]
       [--jitter 32] [--tile 512] [--overlap 64] [--mask MASK.png] [--feather 16] [--strength 1]
       [--seed 1] [--model DIR] [--quiet] IN OUT`;

/** Reads a mask image as 8-bit grey (white = dream), scaled to the photo when its size differs. */
export async function readMaskFile(path: string, width: number, height: number): Promise<Uint8ClampedArray> {
  const { data, info } = await sharp(path)
    .rotate()
    .flatten({ background: '#000000' })
    .greyscale()
    .resize(width, height, { fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || data.length !== width * height) throw new Error(`${path}: mask could not be scaled to ${width}x${height}`);
  return new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
}

function num(name: string, v: string | undefined, int: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) throw new Error(`--${name} expects ${int ? 'an integer' : 'a number'}, got “${v}”`);
  return n;
}

/** Turns the command's flags into dream options (defaults for what is not given). */
export function dreamOptionsFromArgs(values: Record<string, string | boolean | undefined>): DreamOptions {
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const channels = s('channels')?.split(',').map((c) => num('channels', c.trim(), true)!) ?? null;
  const o: Partial<DreamOptions> = {};
  const layer = s('layer');
  if (layer !== undefined) o.layers = layer === '' ? [] : parseLayerSpec(layer, channels);
  else if (channels) o.layers = parseLayerSpec('conv_pw_9_relu', channels);
  const set = <K extends keyof DreamOptions>(k: K, v: DreamOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set('classIndex', num('class', s('class'), true) ?? undefined);
  const reduce = s('reduce');
  if (reduce !== undefined && reduce !== 'mean' && reduce !== 'l2') throw new Error('--reduce is mean or l2');
  set('reduce', reduce);
  const normalize = s('normalize');
  if (normalize !== undefined && normalize !== 'std' && normalize !== 'mean-abs') throw new Error('--normalize is std or mean-abs');
  set('normalize', normalize);
  set('steps', num('steps', s('steps'), true));
  set('octaves', num('octaves', s('octaves'), true));
  set('octaveScale', num('octave-scale', s('octave-scale'), false));
  set('stepSize', num('step-size', s('step-size'), false));
  set('jitter', num('jitter', s('jitter'), true));
  set('tile', num('tile', s('tile'), true));
  set('tileOverlap', num('overlap', s('overlap'), true));
  set('feather', num('feather', s('feather'), false));
  set('strength', num('strength', s('strength'), false));
  set('seed', num('seed', s('seed'), true));
  return resolveDreamOptions({ ...o, previewSize: 0, measure: false });
}

/** Runs the dream command; returns the exit code (130 when interrupted, nothing written). */
export async function dreamCommand(argv: string[]): Promise<number> {
  const str = { type: 'string' } as const;
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      layer: str, channels: str, class: str, reduce: str, steps: str, octaves: str, 'octave-scale': str,
      'step-size': str, normalize: str, jitter: str, tile: str, overlap: str, mask: str, feather: str,
      strength: str, seed: str, model: str, quiet: { type: 'boolean', default: false },
    },
  });
  const [input, output] = positionals;
  if (!input || !output || positionals.length !== 2) throw new UsageError(dreamUsage);
  const options = dreamOptionsFromArgs(values);
  const image = await readImageFile(input);
  const mask = values.mask ? await readMaskFile(values.mask, image.width, image.height) : null;
  const { net, files } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY && !values.quiet;
  try {
    const started = Date.now();
    const result = await dream(image, mask, options, dreamNetFromPlain(net), {
      signal: ac.signal,
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r${Math.round(p.fraction * 100)}% ${p.label}\x1b[K`);
      },
    });
    if (tty) process.stderr.write('\n');
    const { previewSize: _p, measure: _m, ...params } = options;
    await writeImageFile(output, result.image, {
      'onirique:operation': 'dream',
      'onirique:dream-options': JSON.stringify(params),
      'onirique:model': basename(files.dir),
      'onirique:model-sha256': files.sha256,
      ...(values.mask ? { 'onirique:mask': basename(values.mask) } : {}),
    });
    if (!values.quiet) console.error(`dreamed ${image.width}x${image.height} in ${((Date.now() - started) / 1000).toFixed(1)} s (${result.tiles} tile passes) → ${output}`);
    return 0;
  } catch (e) {
    if (e instanceof AbortError) {
      if (tty) process.stderr.write('\n');
      console.error('onirique dream: cancelled; nothing written');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    net.dispose();
  }
}
