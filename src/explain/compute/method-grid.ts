/**
 * The method grid: every CAM method on one photo and class, side by side, each with its
 * faithfulness curves and score, composed into one picture (so a user sees which explanation the
 * network actually depends on); its PNG text and CSV are in faithfulness-records.ts. Pure; worker and Node CLI.
 */
import type { JobContext } from '../../core/job';
import { downscaleToFit, pasteInto, type RgbaImage } from '../../core/image';
import type { PlainNet } from '../../core/net/plain-net';
import { burnIn } from './cam-composite';
import { explainCam } from './explain';
import { camMethods, defaultOverlayOptions, type CamMethod, type ExplainOptions, type OverlayOptions } from './explain-options';
import { faithfulness, type FaithfulnessOptions, type FaithfulnessResult } from './faithfulness';
import { drawCurves, drawText, fillRect, textWidth, type Rgb } from './grid-draw';

/** Options of `methodGrid`. */
export interface MethodGridOptions {
  /** Methods shown, in this order. */
  methods: CamMethod[];
  /** Longest side of each map tile, pixels. */
  tileSide: number;
  /** Tiles a row (0: up to 5). */
  columns: number;
  overlay: OverlayOptions;
  faithfulness: Partial<FaithfulnessOptions>;
}

/** Defaults: all methods, 256-pixel tiles, jet at half opacity. */
export const defaultMethodGridOptions: MethodGridOptions = { methods: camMethods, tileSide: 256, columns: 0, overlay: defaultOverlayOptions, faithfulness: {} };

/** One method's cell: where its tile lies in the grid picture and how faithful its map is. */
export interface MethodGridCell {
  method: CamMethod;
  /** The map's tile in the grid picture. */
  rect: { x: number; y: number; w: number; h: number };
  faithfulness: FaithfulnessResult;
}

/** Result of `methodGrid`. */
export interface MethodGridResult {
  image: RgbaImage;
  classIndex: number;
  label: string;
  /** Class probability on the photo (the first method's view). */
  prob: number;
  columns: number;
  cells: MethodGridCell[];
}

const BG: Rgb = [30, 30, 30];
const INK: Rgb = [230, 230, 230];
const PAD = 8;
const TEXT = 2;
const LINE = 5 * TEXT + 4;
const CURVE_H = 48;

/** One sub-job of the grid: progress scaled into [i/n, (i+1)/n) of the whole, same signal. */
function slice(ctx: JobContext | undefined, i: number, n: number, label: string): JobContext | undefined {
  if (!ctx) return undefined;
  return { signal: ctx.signal, onProgress: (p) => ctx.onProgress?.({ fraction: (i + p.fraction) / n, label: `${label} ${i + 1}/${n}` }) };
}

/** Draws one cell (name, map, curves, score) with its top-left at (x, y). */
function drawCell(grid: RgbaImage, x: number, y: number, tile: RgbaImage, method: CamMethod, f: FaithfulnessResult): void {
  drawText(grid, method, x, y, INK, TEXT);
  pasteInto(grid, tile, x, y + LINE);
  const cy = y + LINE + tile.height + 4;
  drawCurves(grid, x, cy, tile.width, CURVE_H, f);
  const s = `${f.score >= 0 ? '+' : ''}${f.score.toFixed(3)}`;
  drawText(grid, s, x + tile.width - textWidth(s, TEXT), cy + CURVE_H + 4, f.score >= 0 ? [70, 200, 110] : [240, 110, 50], TEXT);
}

/**
 * Runs every method of `grid.methods` on the photo for one class (the first method resolves
 * 'auto'), scores each map, and composes the tiles into one picture. Cancel stops between passes.
 */
export async function methodGrid(net: PlainNet, photo: RgbaImage, options: Partial<ExplainOptions> = {}, grid: Partial<MethodGridOptions> = {}, ctx?: JobContext): Promise<MethodGridResult> {
  const g = { ...defaultMethodGridOptions, ...grid };
  if (!g.methods.length) throw new Error('method grid: no methods');
  const n = g.methods.length;
  let classIndex = options.classIndex ?? 'auto';
  let label = '';
  let prob = 0;
  const done: { method: CamMethod; tile: RgbaImage; f: FaithfulnessResult }[] = [];
  for (const [i, method] of g.methods.entries()) {
    const r = await explainCam(net, photo, { ...options, method, classIndex }, slice(ctx, i * 2, n * 2, method));
    if (classIndex === 'auto') [classIndex, label, prob] = [r.classIndex, r.label, r.prob];
    else if (!label) [label, prob] = [r.label, r.prob];
    const f = await faithfulness(net, photo, r.heat, r.classIndex, { ...(options.fit ? { fit: options.fit } : {}), ...g.faithfulness }, slice(ctx, i * 2 + 1, n * 2, method));
    const picture = burnIn(photo, r.heat, g.overlay.colormap, g.overlay.alpha, r.guided ?? null);
    done.push({ method, tile: downscaleToFit(picture, g.tileSide), f });
  }
  const columns = Math.min(n, g.columns > 0 ? Math.floor(g.columns) : 5);
  const rows = Math.ceil(n / columns);
  const tw = Math.max(...done.map((d) => d.tile.width));
  const th = Math.max(...done.map((d) => d.tile.height));
  const cellW = Math.max(tw, textWidth('eigengradcam', TEXT));
  const cellH = LINE + th + 4 + CURVE_H + 4 + LINE;
  const W = PAD + columns * (cellW + PAD);
  const H = PAD + rows * (cellH + PAD);
  const image: RgbaImage = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) };
  fillRect(image, 0, 0, W, H, BG);
  const cells = done.map(({ method, tile, f }, i): MethodGridCell => {
    const x = PAD + (i % columns) * (cellW + PAD);
    const y = PAD + Math.floor(i / columns) * (cellH + PAD);
    drawCell(image, x, y, tile, method, f);
    return { method, rect: { x, y: y + LINE, w: tile.width, h: tile.height }, faithfulness: f };
  });
  return { image, classIndex: classIndex as number, label, prob, columns, cells };
}
