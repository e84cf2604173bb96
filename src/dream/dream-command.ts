/** `onirique dream`: the Dream engine on files (mask PNG optional), parameters kept in the PNG. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { dream, type DreamResult } from './compute/dream';
import { type DreamOptions, parseLayerSpec, resolveDreamOptions } from './compute/dream-options';
import { dreamNetFromPlain } from './compute/plain-net-dream';
import { AbortError } from '../core/job';
import type { RgbaImage } from '../core/image';
import { checkInputFile, checkOutputFile, readGreyImageFile, readImageFile, writeImageFile } from '../cli/image-files';
import { defaultModelDir, loadPlainNetFromDir } from '../cli/model-files';
import { UsageError } from '../filter/filter-command';
import { dreamSettingsFrom } from '../cli/settings-from';

/** The dream command's usage (printed by --help and on a usage error). */
export const dreamUsage = `usage: onirique dream [--layer NAME[:WEIGHT],...] [--channels 3,17] [--class N] [--reduce mean|l2]
       [--steps 20] [--octaves 4] [--octave-scale 1.4] [--step-size 0.01] [--normalize std|mean-abs]
       [--jitter 32] [--tile 512] [--overlap 64] [--mask MASK.png] [--feather 16] [--strength 1]
       [--pattern-size auto|N] [--guide IMG] [--seed 1] [--settings-from IMAGE] [--model DIR] [--quiet] IN OUT
  --pattern-size: photo pixels per network pixel (1 = full resolution; auto = visible at fit, faster on big photos)
  --guide IMG: guided dream, the photo climbs towards the guide's features at the layer
  --settings-from IMAGE: re-apply the dream an Onirique dream export carries (flags given win; a guided one needs the same --guide)`;

/** The options every dream command parses (dream, dream-zoom), for parseArgs. */
export const dreamArgOptions = {
  layer: { type: 'string' }, channels: { type: 'string' }, class: { type: 'string' }, reduce: { type: 'string' }, steps: { type: 'string' },
  octaves: { type: 'string' }, 'octave-scale': { type: 'string' }, 'step-size': { type: 'string' }, normalize: { type: 'string' },
  jitter: { type: 'string' }, tile: { type: 'string' }, overlap: { type: 'string' }, feather: { type: 'string' }, strength: { type: 'string' },
  seed: { type: 'string' }, 'pattern-size': { type: 'string' }, guide: { type: 'string' }, model: { type: 'string' }, quiet: { type: 'boolean', default: false },
} as const;

/** Reads a mask image as 8-bit grey (white = dream), scaled to the photo; decoded with the photos' checks and limits. */
export function readMaskFile(path: string, width: number, height: number): Promise<Uint8ClampedArray> {
  return readGreyImageFile(path, width, height);
}

function num(name: string, v: string | undefined, int: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) throw new UsageError(`--${name} expects ${int ? 'an integer' : 'a number'}, got “${v}”`);
  return n;
}

/** Turns the command's flags into dream options (`base`, then the defaults, for what is not given). */
export function dreamOptionsFromArgs(values: Record<string, string | boolean | undefined>, base: Partial<DreamOptions> = {}): DreamOptions {
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
  const ps = s('pattern-size');
  if (ps !== undefined) o.patternSize = ps === 'auto' ? 'auto' : num('pattern-size', ps, false)!;
  return resolveDreamOptions({ ...base, ...o, previewSize: 0, measure: false });
}

/** A guide image file: its pixels and the SHA-256 of its bytes (recorded so the dream can be restored). */
export interface GuideFile {
  image: RgbaImage;
  name: string;
  sha256: string;
}

/** Reads the --guide image (checked and decoded like a photo). */
export async function readGuideFile(path: string): Promise<GuideFile> {
  await checkInputFile(path);
  const bytes = await readFile(path);
  return { image: await readImageFile(path), name: basename(path), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The text chunks a dream export carries: the operation, every option (the pattern size as given
 * and as used), the model and the guide's SHA-256, so `dreamOptionsFromMetadata` restores the run.
 */
export function dreamMetadata(operation: string, options: DreamOptions, result: Pick<DreamResult, 'patternSize' | 'working'>, model: { dir: string; sha256: string }, guide: GuideFile | null, extra: Record<string, string> = {}): Record<string, string> {
  const { previewSize: _p, measure: _m, guide: _g, ...params } = options;
  return {
    'onirique:operation': operation,
    'onirique:dream-options': JSON.stringify(params),
    'onirique:pattern-size-used': String(result.patternSize),
    'onirique:working-size': `${result.working.width}x${result.working.height}`,
    'onirique:model': basename(model.dir),
    'onirique:model-sha256': model.sha256,
    ...(guide ? { 'onirique:guide': guide.name, 'onirique:guide-sha256': guide.sha256 } : {}),
    ...extra,
  };
}

/** The options recorded by `dreamMetadata` (the guide, which only its SHA-256 names, must be given back by the caller). */
export function dreamOptionsFromMetadata(text: Record<string, string>, guide: RgbaImage | null = null): DreamOptions {
  const raw = text['onirique:dream-options'];
  if (!raw) throw new Error('No dream options in this file.');
  const parsed = JSON.parse(raw) as Partial<DreamOptions>;
  return resolveDreamOptions({ ...parsed, guide, previewSize: 0, measure: false });
}

/** A guided export is re-applied only with the very guide it was made with (its SHA-256 recorded); one-line errors, as a file mistake. */
function checkRestoredGuide(path: string, sha256: string, guide: GuideFile | null): void {
  if (!guide) throw new Error(`${path}: was a guided dream; give its guide with --guide (SHA-256 ${sha256})`);
  if (guide.sha256 !== sha256) throw new Error(`${path}: was guided by another image (SHA-256 ${sha256}); --guide ${guide.name} has ${guide.sha256}`);
}

/** Runs the dream command; returns the exit code (130 when interrupted, nothing written). */
export async function dreamCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...dreamArgOptions, mask: { type: 'string' }, 'settings-from': { type: 'string' } } });
  const [input, output] = positionals;
  if (!input || !output || positionals.length !== 2) throw new UsageError(dreamUsage);
  const from = values['settings-from'] ? await dreamSettingsFrom(values['settings-from']) : null;
  const options = dreamOptionsFromArgs(values, from?.options);
  // Everything that can be checked without decoding is, so a mistake never costs a dream's compute.
  await checkOutputFile(output);
  await checkInputFile(input);
  if (values.mask) await checkInputFile(values.mask);
  const guide = values.guide ? await readGuideFile(values.guide) : null;
  if (from?.guideSha256) checkRestoredGuide(values['settings-from']!, from.guideSha256, guide);
  if (guide) options.guide = guide.image;
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
    await writeImageFile(output, result.image, dreamMetadata('dream', options, result, files, guide, values.mask ? { 'onirique:mask': basename(values.mask) } : {}));
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
