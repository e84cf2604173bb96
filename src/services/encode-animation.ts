/** Animated WebP/GIF encoding (sharp), shared by `onirique dream-zoom` and the host's exportAnimation. */
import sharp from 'sharp';
import type { AnimationFormat, ExportAnimationRequest, RgbaImage } from '../host/host-contract';
import { MAX_PIXELS } from '../host/host-contract';
import { parseExportRequest, parseFileName, parseRgbaImage } from './validate';
import { buildXmp } from './xmp';

/** Most frames one animation may hold (the CLI's own cap). */
export const MAX_ANIMATION_FRAMES = 10_000;
/** Formats exportAnimation writes, with their file extension. */
export const animationExtension: Record<AnimationFormat, string> = { webp: 'webp', gif: 'gif' };

/** Frames stacked top to bottom as one animated image (sharp's pageHeight), looping forever, with the settings as XMP (kept by WebP; libvips' GIF writer has no place for it). */
export async function encodeAnimation(frames: RgbaImage[], format: AnimationFormat, delayMs: number, metadata: Record<string, string>): Promise<Buffer> {
  const { width, height } = frames[0]!;
  const stacked = Buffer.alloc(width * height * 4 * frames.length);
  frames.forEach((f, i) => stacked.set(f.data, i * width * height * 4));
  const s = sharp(stacked, { raw: { width, height: height * frames.length, channels: 4, pageHeight: height } }).withXmp(buildXmp(metadata));
  // One delay per frame: a single number only times the first frame of a WebP (the others keep 100 ms).
  const anim = { loop: 0, delay: frames.map(() => delayMs) };
  return format === 'gif' ? s.gif(anim).toBuffer() : s.webp({ ...anim, lossless: false, quality: 90 }).toBuffer();
}

/** Validates an untrusted exportAnimation request (IPC, the e2e binding or the web route). */
export function parseExportAnimationRequest(v: unknown): ExportAnimationRequest {
  const o = v as Partial<ExportAnimationRequest> | null;
  if (!o || typeof o !== 'object') throw new Error('Animation request must be an object.');
  if (!Array.isArray(o.frames) || o.frames.length < 1 || o.frames.length > MAX_ANIMATION_FRAMES) throw new Error(`An animation needs 1 to ${MAX_ANIMATION_FRAMES} frames.`);
  const frames = o.frames.map(parseRgbaImage);
  const { width, height } = frames[0]!;
  if (frames.some((f) => f.width !== width || f.height !== height)) throw new Error('Animation frames must all have the same size.');
  // sharp holds the whole stack as one image: the same pixel cap as any export.
  if (width * height * frames.length > MAX_PIXELS) throw new Error('The animation is too large.');
  if (o.format !== 'webp' && o.format !== 'gif') throw new Error('Animation format is invalid.');
  const delayMs = o.delayMs;
  if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 1 || delayMs > 60_000) throw new Error('Frame delay must be 1..60000 ms.');
  // The single-image request's checks for the name and metadata, so both exports accept the same.
  const { suggestedName, metadata } = parseExportRequest({ image: frames[0], format: 'png', suggestedName: parseFileName(o.suggestedName), metadata: o.metadata });
  return { frames, delayMs, format: o.format, suggestedName, metadata };
}
