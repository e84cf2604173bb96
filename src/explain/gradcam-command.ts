/**
 * `onirique gradcam`: the Explain panel's CAM on a file (`IN OUT.png`) or on many files and
 * folders (`--out-dir DIR IN...`, one model load, a CSV summary, exit 1 when any file failed);
 * overlay PNGs with their parameters (and faithfulness scores) in text chunks, optional method grids.
 */
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { PlainNet } from '../core/net/plain-net';
import { colormapNames, overlay, type ColormapName } from './compute/colormap';
import { camMethodArgSpecs, camMethodArgsUsage, camMethodParams, parseCamMethodArgs, type CamMethodOptions } from './compute/cam-method-args';
import { explainCam } from './compute/explain';
import { camMethods, defaultExplainOptions, type CamMethod, type ExplainOptions, type FitMode } from './compute/explain-options';
import { csvMap, heatToGray16, npyFloat32 } from './compute/export-formats';
import { defaultFaithfulnessOptions, faithfulness, type FaithfulnessResult } from './compute/faithfulness';
import { faithfulnessCsvCells, faithfulnessCsvHeader, faithfulnessParams, methodGridParams } from './compute/faithfulness-records';
import { methodGrid } from './compute/method-grid';
import { collectInputs, outputStems, prepareOutDir, runBatch, writeCsv } from './explain-batch';
import { writeFileAtomic } from '../services/atomic-write';
import { addPngText } from '../services/png-text';
import { checkInputFile, checkOutputFile, readImageFile, writeImageFile } from '../cli/image-files';
import { defaultModelDir, loadPlainNetFromDir } from '../cli/model-files';
import { UsageError } from '../filter/filter-command';
import { gradcamSettingsFrom } from '../cli/settings-from';

/** What every photo of one gradcam run shares. */
export interface GradcamJob {
  net: PlainNet;
  modelSha256: string;
  method: CamMethod;
  methodOptions: CamMethodOptions;
  classIndex: number | 'auto';
  layer: string;
  fit: FitMode;
  smooth: boolean;
  colormap: ColormapName;
  alpha: number;
  /** Score the map (and write the scores into the PNG and the CSV). */
  faithfulness: boolean;
  /** Methods of the method grid, in order. */
  gridMethods: CamMethod[];
}

/** Where one photo's outputs go (absent: not written). */
export interface GradcamOutputs {
  overlay: string;
  raw?: string;
  heatmap?: string;
  grid?: string;
}

/** One CSV row of the summary: a photo and a method. */
export interface GradcamRow {
  file: string;
  output: string;
  classIndex: number;
  label: string;
  prob: number;
  method: CamMethod;
  faithfulness?: FaithfulnessResult;
}

/** The summary CSV's header. */
export const gradcamCsvHeader = ['file', 'output', 'class', 'label', 'probability', 'method', ...faithfulnessCsvHeader(defaultFaithfulnessOptions.fractions), 'error'];

/** A row's cells in `gradcamCsvHeader` order (blank scores when not computed; `error` for a failed file). */
export function gradcamCsvRow(r: GradcamRow | { file: string; error: string }): string[] {
  const blank = faithfulnessCsvHeader(defaultFaithfulnessOptions.fractions).map(() => '');
  if ('error' in r) return [r.file, '', '', '', '', '', ...blank, r.error];
  return [r.file, r.output, String(r.classIndex), r.label, r.prob.toFixed(4), r.method, ...(r.faithfulness ? faithfulnessCsvCells(r.faithfulness) : blank), ''];
}

function camOptions(job: GradcamJob): Partial<ExplainOptions> {
  return { ...defaultExplainOptions, ...job.methodOptions, method: job.method, classIndex: job.classIndex, layer: job.layer, fit: job.fit, smooth: job.smooth };
}

/** The method grid of one photo, written with its scores in the PNG text; its rows for the summary. */
async function writeGrid(job: GradcamJob, image: Awaited<ReturnType<typeof readImageFile>>, input: string, path: string): Promise<GradcamRow[]> {
  const g = await methodGrid(job.net, image, camOptions(job), { methods: job.gridMethods, overlay: { colormap: job.colormap, alpha: job.alpha } });
  await writeImageFile(path, g.image, { ...methodGridParams(g), 'onirique:model-sha256': job.modelSha256, 'onirique:source': input });
  return g.cells.map((c) => ({ file: input, output: path, classIndex: g.classIndex, label: g.label, prob: g.prob, method: c.method, faithfulness: c.faithfulness }));
}

/** Computes and writes one photo's outputs; returns its summary rows (the map's, then the grid's). */
export async function gradcamPhoto(job: GradcamJob, input: string, out: GradcamOutputs): Promise<GradcamRow[]> {
  const image = await readImageFile(input);
  const r = await explainCam(job.net, image, camOptions(job));
  const params: Record<string, string> = {
    'onirique:operation': 'gradcam',
    'onirique:method': job.method,
    'onirique:class': String(r.classIndex),
    'onirique:label': r.label,
    'onirique:layer': r.layer,
    'onirique:fit': job.fit,
    'onirique:smooth': String(job.smooth),
    'onirique:model-sha256': job.modelSha256,
    ...camMethodParams(job.method, job.methodOptions),
  };
  const f = job.faithfulness ? await faithfulness(job.net, image, r.heat, r.classIndex, { fit: job.fit }) : undefined;
  if (f) Object.assign(params, faithfulnessParams(f));
  const picture = job.method === 'guided' && r.guided ? r.guided : overlay(image, { width: r.width, height: r.height, data: r.heat }, job.colormap, job.alpha);
  if (job.method !== 'guided') Object.assign(params, { 'onirique:colormap': job.colormap, 'onirique:alpha': String(job.alpha) });
  await writeImageFile(out.overlay, picture, params);
  if (out.raw) {
    const bytes = extname(out.raw).toLowerCase() === '.csv' ? Buffer.from(csvMap(r.raw, r.width, r.height)) : npyFloat32(r.raw, [r.height, r.width]);
    await writeFileAtomic(out.raw, Buffer.from(bytes));
  }
  if (out.heatmap) {
    const gray = heatToGray16(r.heat);
    // A Uint16Array input tells sharp the samples are 16-bit.
    const png16 = await sharp(gray, { raw: { width: r.width, height: r.height, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    await writeFileAtomic(out.heatmap, addPngText(png16, params));
  }
  const score = f ? `, faithfulness ${f.score >= 0 ? '+' : ''}${f.score.toFixed(3)}` : '';
  console.log(`${r.method} for ${r.label} (${r.classIndex}), ${(r.prob * 100).toFixed(1)}%, layer ${r.layer}${score} → ${out.overlay}`);
  const rows: GradcamRow[] = [{ file: input, output: out.overlay, classIndex: r.classIndex, label: r.label, prob: r.prob, method: job.method, faithfulness: f }];
  if (out.grid) rows.push(...(await writeGrid(job, image, input, out.grid)));
  return rows;
}

/** The gradcam command's usage (printed by --help and on a usage error). */
export const gradcamUsage =
  `usage: onirique gradcam [--class N|auto] [--layer L] [--method ${camMethods.join('|')}] ${camMethodArgsUsage} [--colormap jet] [--alpha 0.5] ` +
  '[--fit resize|center-crop|tiles] [--smooth] [--settings-from IMAGE] [--faithfulness] [--raw CAM.npy|CAM.csv] [--heatmap HEAT16.png] [--grid GRID.png] [--grid-methods a,b,...] [--csv SUMMARY.csv] [--model DIR] IN OUT.png\n' +
  '       onirique gradcam --out-dir DIR [--grids] [--csv SUMMARY.csv] [same options, no --raw/--heatmap/--grid] IN|FOLDER...\n' +
  '  --settings-from IMAGE: re-apply the method, class, layer, colormap, alpha, fit and method options a gradcam export carries (flags given win)';

/** The options of one gradcam run, validated. */
type GradcamSettings = Omit<GradcamJob, 'net' | 'modelSha256'>;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    // Tokens tell a flag typed on the command line from its default, so typed flags win over --settings-from.
    tokens: true,
    options: {
      class: { type: 'string', default: 'auto' },
      layer: { type: 'string', default: 'auto' },
      method: { type: 'string', default: 'gradcam' },
      ...camMethodArgSpecs,
      colormap: { type: 'string', default: 'jet' },
      alpha: { type: 'string', default: '0.5' },
      fit: { type: 'string', default: 'resize' },
      smooth: { type: 'boolean', default: false },
      faithfulness: { type: 'boolean', default: false },
      raw: { type: 'string' },
      heatmap: { type: 'string' },
      grid: { type: 'string' },
      grids: { type: 'boolean', default: false },
      'grid-methods': { type: 'string' },
      csv: { type: 'string' },
      'out-dir': { type: 'string' },
      model: { type: 'string' },
      'settings-from': { type: 'string' },
    },
  });
}

/** The flag values with those an export carries (--settings-from) in place of the ones not typed. */
async function withSettingsFrom({ values, tokens }: ReturnType<typeof parse>): Promise<ReturnType<typeof parse>['values']> {
  const from = values['settings-from'];
  if (from === undefined) return values;
  const typed = new Set<string>(tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  const out = { ...values };
  for (const [flag, v] of Object.entries(await gradcamSettingsFrom(from))) {
    if (typed.has(flag)) continue;
    // The string flags are all validated by settingsOf, as if typed.
    if (typeof v === 'string') Object.assign(out, { [flag]: v });
    else if (flag === 'smooth' || flag === 'eigen-smooth') out[flag] = v;
  }
  return out;
}

function settingsOf(values: ReturnType<typeof parse>['values']): GradcamSettings {
  const method = values.method as CamMethod;
  if (!camMethods.includes(method)) throw new Error(`--method must be one of ${camMethods.join(', ')}`);
  const methodOptions = parseCamMethodArgs(values);
  const colormap = values.colormap as ColormapName;
  if (!colormapNames.includes(colormap)) throw new Error(`--colormap must be one of ${colormapNames.join(', ')}`);
  const alpha = Number(values.alpha);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error('--alpha must be between 0 and 1');
  const fit = values.fit as FitMode;
  if (!['resize', 'center-crop', 'tiles'].includes(fit)) throw new Error('--fit must be resize, center-crop or tiles');
  const classIndex = values.class === 'auto' ? 'auto' : Number(values.class);
  if (classIndex !== 'auto' && !Number.isInteger(classIndex)) throw new Error(`--class must be an integer or auto, not “${values.class}”`);
  const gridMethods = (values['grid-methods']?.split(',').map((m) => m.trim()) ?? camMethods) as CamMethod[];
  const unknown = gridMethods.find((m) => !camMethods.includes(m));
  if (unknown !== undefined || !gridMethods.length) throw new Error(`--grid-methods must list some of ${camMethods.join(', ')}, not “${unknown ?? ''}”`);
  return { method, methodOptions, classIndex, layer: values.layer, fit, smooth: values.smooth, colormap, alpha, faithfulness: values.faithfulness, gridMethods };
}

/** Runs the gradcam command; returns the exit code. */
export async function gradcamCommand(argv: string[]): Promise<number> {
  const parsed = parse(argv);
  const { positionals } = parsed;
  const values = await withSettingsFrom(parsed);
  const outDir = values['out-dir'];
  if (outDir) {
    if (!positionals.length) throw new UsageError(gradcamUsage);
    if (values.raw || values.heatmap || values.grid) throw new UsageError(`--raw, --heatmap and --grid name one file: with --out-dir use --grids (one STEM-grid.png a photo)\n${gradcamUsage}`);
  } else {
    if (positionals.length !== 2) throw new UsageError(gradcamUsage);
    if (values.grids) throw new UsageError(`--grids needs --out-dir; for one photo use --grid GRID.png\n${gradcamUsage}`);
  }
  const settings = settingsOf(values);
  return outDir ? gradcamBatch(settings, values, positionals, outDir) : gradcamSingle(settings, values, positionals[0]!, positionals[1]!);
}

/** `gradcam IN OUT.png`: one photo, every path checked before the model loads; a failure throws (exit 1). */
async function gradcamSingle(settings: GradcamSettings, values: ReturnType<typeof parse>['values'], input: string, output: string): Promise<number> {
  // Every path is checked before the model loads or the photo decodes, so a typo costs no compute.
  await checkOutputFile(output);
  if (values.raw) await checkOutputFile(values.raw, ['.npy', '.csv']);
  if (values.heatmap) await checkOutputFile(values.heatmap, ['.png']);
  if (values.grid) await checkOutputFile(values.grid, ['.png']);
  if (values.csv) await checkOutputFile(values.csv, ['.csv']);
  await checkInputFile(input);
  const { net, files } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
  try {
    const rows = await gradcamPhoto({ ...settings, net, modelSha256: files.sha256 }, input, { overlay: output, raw: values.raw, heatmap: values.heatmap, grid: values.grid });
    if (values.csv) await writeCsv(values.csv, gradcamCsvHeader, rows.map(gradcamCsvRow));
  } finally {
    net.dispose();
  }
  return 0;
}

/** `gradcam --out-dir DIR IN...`: every photo, on past a bad one; the CSV lists each, failures with their reason. */
async function gradcamBatch(settings: GradcamSettings, values: ReturnType<typeof parse>['values'], args: string[], outDir: string): Promise<number> {
  const inputs = await collectInputs(args);
  if (!inputs.length) throw new Error(`${args.join(', ')}: no photos found`);
  const stems = outputStems(inputs);
  const suffix = settings.method.replace('++', 'pp');
  const csv = values.csv ?? join(outDir, 'gradcam-summary.csv');
  await prepareOutDir(outDir, [...stems.flatMap((s) => [`${s}-${suffix}.png`, ...(values.grids ? [`${s}-grid.png`] : [])])]);
  await checkOutputFile(csv, ['.csv']);
  const { net, files } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
  const rows: string[][] = [];
  let failed: number;
  try {
    const job: GradcamJob = { ...settings, net, modelSha256: files.sha256 };
    ({ failed } = await runBatch(
      'gradcam',
      inputs,
      async (file, i) => {
        const out = { overlay: join(outDir, `${stems[i]}-${suffix}.png`), grid: values.grids ? join(outDir, `${stems[i]}-grid.png`) : undefined };
        const done: GradcamRow[] = await gradcamPhoto(job, file, out);
        rows.push(...done.map(gradcamCsvRow));
      },
      (file, error) => rows.push(gradcamCsvRow({ file, error })),
    ));
  } finally {
    net.dispose();
  }
  await writeCsv(csv, gradcamCsvHeader, rows);
  console.log(`${inputs.length - failed} of ${inputs.length} photo(s) done → ${outDir}, summary ${csv}`);
  return failed ? 1 : 0;
}
