/**
 * The bad-input corpus's cases: small re-encodes of every shared photo, mutated with a seeded generator
 * (truncations, flipped header bytes, lying sizes, wrong extensions). Shared by the in-process decode
 * test and the CLI / web-server route test, so both see the very same files.
 */
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { photosDir } from './files-fixtures';

/** One file of the corpus: the name it is opened under and its bytes. */
export interface Case {
  name: string;
  bytes: Buffer;
}

/** Mulberry32: a small seeded generator, so a failing case can be rebuilt from its name. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'gif'] as const;
const EXT: Record<(typeof FORMATS)[number], string> = { jpeg: 'jpg', png: 'png', webp: 'webp', tiff: 'tif', gif: 'gif' };

/** Small re-encodes of one photo (about 64 px wide) in each format. */
async function bases(file: string): Promise<Case[]> {
  const small = sharp(join(photosDir, file)).resize({ width: 64, height: 64, fit: 'inside' });
  const stem = file.replace(/\.[^.]+$/, '');
  return Promise.all(FORMATS.map(async (f) => ({ name: `${stem}.${EXT[f]}`, bytes: await small.clone().toFormat(f).toBuffer() })));
}

/** Eight seeded mutations of one file. */
function mutations(base: Case, random: () => number): Case[] {
  const { bytes } = base;
  const out: Case[] = [];
  const pick = (n: number) => Math.floor(random() * n);
  for (let k = 0; k < 4; k++) {
    const at = 1 + pick(bytes.length - 1);
    out.push({ name: `cut${at}-${base.name}`, bytes: bytes.subarray(0, at) });
  }
  for (let k = 0; k < 2; k++) {
    const b = Buffer.from(bytes);
    const at = pick(Math.min(64, b.length));
    b[at] = b[at]! ^ (1 << pick(8));
    out.push({ name: `flip${at}-${base.name}`, bytes: b });
  }
  // Lying size: 0xFF over four header bytes, where the size fields of these formats lie.
  const lie = Buffer.from(bytes);
  const at = 6 + pick(Math.min(24, lie.length - 10));
  lie.fill(0xff, at, at + 4);
  out.push({ name: `lie${at}-${base.name}`, bytes: lie });
  const wrong = extname(base.name) === '.png' ? '.jpg' : '.png';
  out.push({ name: base.name.replace(/\.[^.]+$/, wrong), bytes });
  return out;
}

/** The whole corpus (every photo of ../shared/photos, five formats each, nine files per format), in a fixed order. */
export async function corpus(): Promise<Case[]> {
  const photos = readdirSync(photosDir).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  const random = rng(20240613);
  const cases: Case[] = [];
  for (const p of photos) for (const b of await bases(p)) cases.push(b, ...mutations(b, random));
  return cases;
}
