/** `onirique dream-zoom`: the infinite zoom on a file, saved as an animated WebP or GIF (settings in its XMP) and optionally as numbered PNG frames (settings in their text chunks). */
import { mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { dreamZoom, validateZoomOptions, type ZoomOptions } from './compute/zoom';
import { dreamArgOptions, dreamMetadata, dreamOptionsFromArgs, readGuideFile } from './dream-command';
import { dreamNetFromPlain } from './compute/plain-net-dream';
import { AbortError } from '../core/job';
import type { RgbaImage } from '../core/image';
import { checkInputFile, checkOutputFile, readImageFile, writeImageFile } from '../cli/image-files';
import { defaultModelDir, loadPlainNetFromDir } from '../cli/model-files';
import { writeFileAtomic } from '../services/atomic-write';
import { encodeAnimation } from '../services/encode-animation';
import { UsageError } from '../filter/filter-command';

/** The dream-zoom command's usage (printed by --help and on a usage error). */
export const dreamZoomUsage = `usage: onirique dream-zoom [--frames 30] [--zoom 1.05] [--delay 100] [--frames-dir DIR]
       [every option of onirique dream except --mask] IN OUT.webp|OUT.gif
  each frame is the previous one zoomed in by --zoom and dreamt again (seed + frame number);
  --frames-dir also writes frame-0001.png, … there; --delay: ms between frames of the animation`;

const ANIMATION_EXTENSIONS = ['.webp', '.gif'] as const;

function positiveNumber(name: string, v: string | undefined, fallback: number, int: boolean): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) throw new UsageError(`--${name} expects ${int ? 'an integer' : 'a number'}, got “${v}”`);
  return n;
}

/** Runs dream-zoom; returns the exit code (130 when interrupted, nothing written). */
export async function dreamZoomCommand(argv: string[]): Promise<number> {
  const str = { type: 'string' } as const;
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...dreamArgOptions, frames: str, zoom: str, delay: str, 'frames-dir': str } });
  const [input, output] = positionals;
  if (!input || !output || positionals.length !== 2) throw new UsageError(dreamZoomUsage);
  const zoom: ZoomOptions = { frames: positiveNumber('frames', values.frames, 30, true), zoom: positiveNumber('zoom', values.zoom, 1.05, false) };
  const zoomErr = validateZoomOptions(zoom);
  if (zoomErr) throw new UsageError(zoomErr);
  const delay = positiveNumber('delay', values.delay, 100, true);
  const options = dreamOptionsFromArgs(values);
  const ext = extname(output).toLowerCase();
  await checkOutputFile(output, ANIMATION_EXTENSIONS);
  await checkInputFile(input);
  const framesDir = values['frames-dir'];
  const guide = values.guide ? await readGuideFile(values.guide) : null;
  if (guide) options.guide = guide.image;
  const image = await readImageFile(input);
  const { net, files } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY && !values.quiet;
  const frames: RgbaImage[] = [];
  const zoomMeta = { 'onirique:zoom': String(zoom.zoom), 'onirique:frames': String(zoom.frames) };
  let meta: Record<string, string> = {};
  try {
    if (framesDir) await mkdir(framesDir, { recursive: true });
    const started = Date.now();
    await dreamZoom(image, options, zoom, dreamNetFromPlain(net), async (frame, i, result) => {
      frames.push(frame);
      meta = dreamMetadata('dream-zoom', options, result, files, guide, zoomMeta);
      if (framesDir) await writeImageFile(join(framesDir, `frame-${String(i + 1).padStart(4, '0')}.png`), frame, { ...meta, 'onirique:frame': String(i + 1), 'onirique:frame-seed': String(options.seed + i) });
    }, {
      signal: ac.signal,
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r${Math.round(p.fraction * 100)}% ${p.label}\x1b[K`);
      },
    });
    if (tty) process.stderr.write('\n');
    await writeFileAtomic(output, await encodeAnimation(frames, ext === '.gif' ? 'gif' : 'webp', delay, meta));
    if (!values.quiet) console.error(`dreamed ${zoom.frames} frames of ${image.width}x${image.height} in ${((Date.now() - started) / 1000).toFixed(1)} s → ${output}`);
    return 0;
  } catch (e) {
    if (e instanceof AbortError) {
      if (tty) process.stderr.write('\n');
      console.error('onirique dream-zoom: cancelled; no animation written');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    net.dispose();
  }
}
