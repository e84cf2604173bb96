/**
 * `onirique classify`: top-5 ImageNet classes of a photo with the Explain panel's engine; many
 * files or folders with `--out-dir DIR` (one model load, a CSV summary, exit 1 when any failed).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { classifyImage } from './compute/explain';
import type { FitMode } from './compute/explain-options';
import { collectInputs, prepareOutDir, runBatch, writeCsv } from './explain-batch';
import { checkInputFile, checkOutputFile, readImageFile } from '../cli/image-files';
import { defaultModelDir, loadPlainNetFromDir } from '../cli/model-files';
import { UsageError } from '../filter/filter-command';

/** The classify command's usage line (printed by --help and on a usage error). */
export const classifyUsage =
  'usage: onirique classify [--model DIR] [--top N] [--fit resize|center-crop] IN\n' +
  '       onirique classify --out-dir DIR [--csv SUMMARY.csv] [--model DIR] [--top N] [--fit resize|center-crop] IN|FOLDER...';

/** The summary CSV's header: one row per photo and rank. */
const csvHeader = ['file', 'rank', 'class', 'label', 'probability', 'error'];

/** Runs the classify command; returns the exit code. */
export async function classifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { model: { type: 'string' }, top: { type: 'string', default: '5' }, fit: { type: 'string', default: 'resize' }, 'out-dir': { type: 'string' }, csv: { type: 'string' } },
  });
  const outDir = values['out-dir'];
  if (!positionals.length || (!outDir && positionals.length !== 1)) throw new UsageError(classifyUsage);
  if (values.csv && !outDir) throw new UsageError(`--csv goes with --out-dir\n${classifyUsage}`);
  const fit = values.fit as FitMode;
  if (fit !== 'resize' && fit !== 'center-crop') throw new Error(`--fit must be resize or center-crop, not “${values.fit}”`);
  const topK = Number(values.top);
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`--top must be a positive integer, not “${values.top}”`);
  if (!outDir) {
    const input = positionals[0]!;
    await checkInputFile(input);
    const { net } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
    try {
      const { top } = await classifyImage(net, await readImageFile(input), { topK, fit });
      for (const c of top) console.log(`${(c.prob * 100).toFixed(1).padStart(5)}%  ${c.label} (${c.index})`);
    } finally {
      net.dispose();
    }
    return 0;
  }
  const inputs = await collectInputs(positionals);
  if (!inputs.length) throw new Error(`${positionals.join(', ')}: no photos found`);
  const csv = values.csv ?? join(outDir, 'classify-summary.csv');
  await prepareOutDir(outDir, []);
  await checkOutputFile(csv, ['.csv']);
  const { net } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
  const rows: string[][] = [];
  let failed: number;
  try {
    ({ failed } = await runBatch(
      'classify',
      inputs,
      async (file) => {
        const { top } = await classifyImage(net, await readImageFile(file), { topK, fit });
        top.forEach((c, r) => rows.push([file, String(r + 1), String(c.index), c.label, c.prob.toFixed(4), '']));
        const best = top[0]!;
        console.log(`${file}: ${(best.prob * 100).toFixed(1)}%  ${best.label} (${best.index})`);
      },
      (file, error) => rows.push([file, '', '', '', '', error]),
    ));
  } finally {
    net.dispose();
  }
  await writeCsv(csv, csvHeader, rows);
  console.log(`${inputs.length - failed} of ${inputs.length} photo(s) classified, summary ${csv}`);
  return failed ? 1 : 0;
}
