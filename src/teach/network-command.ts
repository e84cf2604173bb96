/** `onirique network`: the model as a table (type, kernel, stride, output shape, parameters, receptive field per layer). */
import { parseArgs } from 'node:util';
import { defaultModelDir, loadModelFromDir } from '../cli/model-files';
import { UsageError } from '../filter/filter-command';
import { formatNetworkTable, networkTable } from './compute/network-table';

/** The network command's usage (printed by --help and on a usage error). */
export const networkUsage = 'usage: onirique network [--model DIR] [--json]';

/** Runs the network command; returns the exit code. */
export async function networkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { model: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (positionals.length) throw new UsageError(networkUsage);
  const { model, files } = await loadModelFromDir(values.model ?? defaultModelDir());
  try {
    const rows = networkTable(model);
    if (values.json) console.log(JSON.stringify(rows, null, 1));
    else console.log(`${files.dir} (model.json sha256 ${files.sha256})\n${formatNetworkTable(rows)}`);
  } finally {
    model.dispose();
  }
  return 0;
}
