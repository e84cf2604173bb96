/** `onirique classify`: top-5 ImageNet classes of a photo with the Explain panel's engine. */
import { parseArgs } from 'node:util';
import { classifyImage } from '../../../renderer/worker/compute/explain/explain';
import type { FitMode } from '../../../renderer/worker/compute/explain/explain-options';
import { readImageFile } from '../image-files';
import { defaultModelDir, loadPlainNetFromDir } from '../model-files';
import { UsageError } from './filter';

/** The classify command's usage line (printed by --help and on a usage error). */
export const classifyUsage = 'usage: onirique classify [--model DIR] [--top N] [--fit resize|center-crop] IN';

/** Runs the classify command; returns the exit code. */
export async function classifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { model: { type: 'string' }, top: { type: 'string', default: '5' }, fit: { type: 'string', default: 'resize' } },
  });
  const [input] = positionals;
  if (!input || positionals.length !== 1) throw new UsageError(classifyUsage);
  const fit = values.fit as FitMode;
  if (fit !== 'resize' && fit !== 'center-crop') throw new Error(`--fit must be resize or center-crop, not “${values.fit}”`);
  const topK = Number(values.top);
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`--top must be a positive integer, not “${values.top}”`);
  const { net } = await loadPlainNetFromDir(values.model ?? defaultModelDir());
  try {
    const image = await readImageFile(input);
    const { top } = await classifyImage(net, image, { topK, fit });
    for (const c of top) console.log(`${(c.prob * 100).toFixed(1).padStart(5)}%  ${c.label} (${c.index})`);
  } finally {
    net.dispose();
  }
  return 0;
}
