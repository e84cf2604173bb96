/**
 * Tiled gradients over a rolled image. The roll (jitter) and the tile grid are index maps, never
 * copies of the whole image, so a 24 MP octave costs one tile of network memory at a time.
 * Coordinates: "rolled" r ↔ source s = (r - shift) mod n, i.e. rolled = roll(source, shift).
 */

/** Half-open ranges [start, end) covering [0, n) with cores of at most `tile` (grid offset `offset`). */
export function tileRanges(n: number, tile: number, offset: number): [number, number][] {
  if (n <= tile) return [[0, n]];
  const cuts = [0];
  for (let b = tile - (offset % tile); b < n; b += tile) if (b > 0) cuts.push(b);
  cuts.push(n);
  const ranges: [number, number][] = [];
  for (let i = 0; i + 1 < cuts.length; i++) ranges.push([cuts[i]!, cuts[i + 1]!]);
  // A sliver tile gives the network almost no context: fold it into its neighbour.
  const min = Math.max(8, Math.floor(tile / 4));
  if (ranges.length > 1 && ranges[0]![1] - ranges[0]![0] < min) {
    const first = ranges.shift()!;
    ranges[0]![0] = first[0];
  }
  if (ranges.length > 1 && ranges[ranges.length - 1]![1] - ranges[ranges.length - 1]![0] < min) {
    const last = ranges.pop()!;
    ranges[ranges.length - 1]![1] = last[1];
  }
  return ranges;
}

/** Non-negative modulo. */
export function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}

/** A tile box in rolled coordinates, by its half-open edges: [y0, y1) x [x0, x1). */
export interface TileBox {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/** Copies a rolled-coordinate rectangle of a 3-channel image into a new tile buffer. */
export function extractRolled(img: Float32Array, w: number, h: number, r: TileBox, dy: number, dx: number): Float32Array {
  const tw = r.x1 - r.x0;
  const out = new Float32Array((r.y1 - r.y0) * tw * 3);
  const cols = new Int32Array(tw);
  for (let x = 0; x < tw; x++) cols[x] = mod(r.x0 + x - dx, w) * 3;
  for (let y = r.y0; y < r.y1; y++) {
    const row = mod(y - dy, h) * w * 3;
    let o = (y - r.y0) * tw * 3;
    for (let x = 0; x < tw; x++, o += 3) {
      const s = row + cols[x]!;
      out[o] = img[s]!;
      out[o + 1] = img[s + 1]!;
      out[o + 2] = img[s + 2]!;
    }
  }
  return out;
}

/** Writes the `core` part of a tile's gradient (tile spans `region`) back to source coordinates. */
export function writeRolled(
  dst: Float32Array, w: number, h: number, tile: Float32Array | Uint8Array, region: TileBox, core: TileBox, dy: number, dx: number,
): void {
  const tw = region.x1 - region.x0;
  for (let y = core.y0; y < core.y1; y++) {
    const row = mod(y - dy, h) * w * 3;
    const ti = (y - region.y0) * tw;
    for (let x = core.x0; x < core.x1; x++) {
      const s = row + mod(x - dx, w) * 3;
      const t = (ti + x - region.x0) * 3;
      dst[s] = tile[t]!;
      dst[s + 1] = tile[t + 1]!;
      dst[s + 2] = tile[t + 2]!;
    }
  }
}

/** True when any covered pixel of the rolled rectangle is set in a one-plane coverage map. */
export function anyCovered(cover: Uint8Array | null, w: number, h: number, r: TileBox, dy: number, dx: number): boolean {
  if (!cover) return true;
  for (let y = r.y0; y < r.y1; y++) {
    const row = mod(y - dy, h) * w;
    for (let x = r.x0; x < r.x1; x++) if (cover[row + mod(x - dx, w)]) return true;
  }
  return false;
}
