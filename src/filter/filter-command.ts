/** `onirique filter`: the Filter panel's engine on files. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { applyFilter } from './compute/convolve';
import { parseKernelFile } from './compute/filter-kernel';
import {
  defaultFilterOptions,
  type BorderMode,
  type ChannelMode,
  type FilterOptions,
  type OutputMode,
  type SizeMode,
} from './compute/filter-options';
import { presetOptions } from './compute/kernels';
import { filterSettingsFrom } from '../cli/settings-from';
import { checkInputFile, checkOutputFile, readImageFile, writeImageFile } from '../cli/image-files';

/** Usage text of the command. */
export const filterUsage = `usage: onirique filter (--kernel NAME | --kernel-file K.json) [--param NAME=VALUE ...]
    [--channels luma|rgb|sum] [--mask rgb] [--border zero|replicate|reflect|symmetric|wrap]
    [--mode same|valid] [--output clamp|abs|abs-max|offset] [--stride N] [--dilation N] [--flip]
    [--normalise] [--divisor D] [--offset O] [--tile N] [--settings-from IMAGE] IN OUT
  --kernel NAME       a preset (see \`onirique kernels\`); default edges-horizontal
  --kernel-file K     JSON {"name", "matrix": [[...], ...], "divisor"?, "offset"?}
  --param sigma=2     preset parameter (repeatable)
  --mask rgb          with --channels rgb: channels to filter (others pass through), e.g. --mask rb
  --flip              true convolution (kernel rotated 180°, as scipy convolve2d); default correlation
  --settings-from IMAGE  re-apply the filter an Onirique export carries (its kernel and options)`;

/** `--help` was asked for: print the usage and exit 0. */
class HelpRequest extends Error {}

/** A mistake in the command line itself (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got “${v}”`);
  return v as T;
}

function number(flag: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && (!Number.isInteger(n) || n < 1))) {
    throw new UsageError(`--${flag} must be ${integer ? 'a whole number ≥ 1' : 'a number'}; got “${v}”`);
  }
  return n;
}

/** Parses `--param a=1 --param b=2` into numbers. */
export function parseParams(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^([A-Za-z][\w-]*)=(.+)$/.exec(item);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new UsageError(`--param expects NAME=NUMBER (e.g. sigma=2); got “${item}”`);
    out[m[1]!] = v;
  }
  return out;
}

const filterArgSpec = {
  kernel: { type: 'string' },
  'kernel-file': { type: 'string' },
  param: { type: 'string', multiple: true },
  channels: { type: 'string' },
  mask: { type: 'string' },
  border: { type: 'string' },
  mode: { type: 'string' },
  output: { type: 'string' },
  stride: { type: 'string' },
  dilation: { type: 'string' },
  flip: { type: 'boolean' },
  normalise: { type: 'boolean' },
  divisor: { type: 'string' },
  offset: { type: 'string' },
  tile: { type: 'string' },
  'settings-from': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type FilterArgs = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof filterArgSpec }>>['values'];

/** The kernel named by --kernel (a preset, with --param) or read from --kernel-file. */
async function kernelFromArgs(v: FilterArgs): Promise<{ base: Partial<FilterOptions>; kernelName: string }> {
  if (v.kernel !== undefined && v['kernel-file'] !== undefined) throw new UsageError('give --kernel or --kernel-file, not both');
  const params = parseParams(v.param ?? []);
  const file = v['kernel-file'];
  if (file === undefined) {
    const kernelName = v.kernel ?? 'edges-horizontal';
    try {
      return { base: presetOptions(kernelName, params), kernelName };
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
  if (Object.keys(params).length) throw new UsageError('--param applies to preset kernels, not to --kernel-file');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`}`, { cause: e });
  }
  const kernel = parseKernelFile(text, file);
  return { base: { kernel, combine: 'none' }, kernelName: kernel.name ?? file };
}

/** Reads the command line into filter options and the two paths; throws UsageError on mistakes. */
export async function filterOptionsFromArgs(argv: string[]): Promise<{ options: FilterOptions; input: string; output: string; kernelName: string }> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: filterArgSpec });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values: v, positionals } = parsed;
  if (v.help) throw new HelpRequest();
  if (positionals.length !== 2) throw new UsageError(`expected IN and OUT files; got ${positionals.length} path(s)`);
  // An Onirique export's own filter, re-applied as it was (the other options are not mixed in).
  if (v['settings-from'] !== undefined) return { ...(await filterSettingsFrom(v['settings-from'])), input: positionals[0]!, output: positionals[1]! };
  const { base, kernelName } = await kernelFromArgs(v);
  const channels = oneOf<ChannelMode>('channels', v.channels, ['luma', 'rgb', 'sum']);
  const mask = v.mask;
  if (mask !== undefined && !/^[rgb]{1,3}$/i.test(mask)) throw new UsageError(`--mask takes letters among r, g, b (e.g. rb); got “${mask}”`);
  if (mask !== undefined && channels !== 'rgb') throw new UsageError('--mask applies with --channels rgb');
  const kernel = { ...base.kernel! };
  const divisor = number('divisor', v.divisor, false);
  if (divisor === 0) throw new UsageError('--divisor must not be 0');
  if (divisor !== undefined) kernel.divisor = divisor;
  const offset = number('offset', v.offset, false);
  if (offset !== undefined) kernel.offset = offset;
  const options: FilterOptions = {
    ...defaultFilterOptions,
    ...base,
    kernel,
    ...(channels ? { channels } : {}),
    ...(mask ? { channelMask: [...'rgb'].map((c) => mask.toLowerCase().includes(c)) as [boolean, boolean, boolean] } : {}),
    border: oneOf<BorderMode>('border', v.border, ['zero', 'replicate', 'reflect', 'symmetric', 'wrap']) ?? defaultFilterOptions.border,
    mode: oneOf<SizeMode>('mode', v.mode, ['same', 'valid']) ?? defaultFilterOptions.mode,
    output: oneOf<OutputMode>('output', v.output, ['clamp', 'abs', 'abs-max', 'offset']) ?? base.output ?? defaultFilterOptions.output,
    stride: number('stride', v.stride, true) ?? 1,
    dilation: number('dilation', v.dilation, true) ?? 1,
    flip: v.flip ?? false,
    normalise: v.normalise ?? false,
    tileSize: number('tile', v.tile, true) ?? 0,
  };
  return { options, input: positionals[0]!, output: positionals[1]!, kernelName };
}

/** Runs the filter command; returns the exit code. */
export async function filterCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = await filterOptionsFromArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequest) {
      console.log(filterUsage);
      return 0;
    }
    if (!(e instanceof UsageError)) throw e;
    console.error(`onirique filter: ${e.message} (see “onirique filter --help”)`);
    return 2;
  }
  const { options, input, output, kernelName } = args;
  // The output path is checked before the photo decodes, so a typo costs no compute.
  await checkOutputFile(output);
  await checkInputFile(input);
  const image = await readImageFile(input);
  const result = await applyFilter(image, options);
  await writeImageFile(output, result, {
    'onirique:operation': 'filter',
    'onirique:kernel': kernelName,
    'onirique:filter-options': JSON.stringify({ ...options, kernel: options.kernel }),
  });
  return 0;
}
