// Renders assets/icon.svg to every icon electron-builder needs: build/icons/NxN.png (Linux),
// build/icon.png (512), build/icon.ico (Windows, PNG-compressed entries) and build/icon.icns (macOS).
// Usage: node scripts/make-icons.mjs [outDir]   (default: build/)
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'build'));

/** Square sizes rendered as PNG. */
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// ICNS element types that hold PNG data, by pixel size.
const ICNS_TYPES = [['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]];

async function render(svg, size) {
  // librsvg renders the vector at the target size, so small icons stay sharp.
  return sharp(svg, { density: Math.max(72, (72 * size) / 1024) * 4 }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
}

/** ICO container: 6-byte header, one 16-byte entry per image, then the PNG streams (Vista+ reads PNG entries). */
function buildIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4);
    e.writeUInt16LE(32, 6);
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** ICNS container: 'icns' + total length, then (type, length incl. 8-byte header, PNG) elements. */
function buildIcns(elements) {
  const parts = elements.map(({ type, png }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'latin1');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'latin1');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

const svg = await readFile(join(root, 'assets', 'icon.svg'));
const pngs = new Map();
for (const size of PNG_SIZES) pngs.set(size, await render(svg, size));
await mkdir(join(out, 'icons'), { recursive: true });
for (const [size, png] of pngs) await writeFile(join(out, 'icons', `${size}x${size}.png`), png);
await writeFile(join(out, 'icon.png'), pngs.get(512));
await writeFile(join(out, 'icon.ico'), buildIco(ICO_SIZES.map((size) => ({ size, png: pngs.get(size) }))));
await writeFile(join(out, 'icon.icns'), buildIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: pngs.get(size) }))));
console.log(`icons written to ${out}`);
