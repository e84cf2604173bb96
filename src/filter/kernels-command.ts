/** `onirique kernels`: lists the preset kernels with their parameters and matrices. */
import { parseArgs } from 'node:util';
import { kernelFileText, kernelInfo } from './compute/filter-kernel';
import { findPreset, kernelPresets, presetOptions, type KernelPreset } from './compute/kernels';
import { parseParams, UsageError } from './filter-command';

/** Usage text of the command. */
export const kernelsUsage = `usage: onirique kernels [NAME [--param NAME=VALUE ...]] [--json]
  without NAME: every preset with its parameters and matrix (defaults)
  with NAME: that preset's matrix for the given parameters; --json prints it as a kernel file`;

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

/** The text block describing one preset with the given parameters. */
export function describePreset(p: KernelPreset, params: Record<string, number> = {}): string {
  const o = presetOptions(p.name, params);
  const all = [o.kernel.matrix, ...(o.extraKernels ?? [])];
  const lines = [`${p.name} — ${p.description}`];
  for (const q of p.params) lines.push(`  --param ${q.name}=${fmt(params[q.name] ?? q.default)}  (${q.min}..${q.max}${q.integer ? ', whole' : ''}) ${q.doc}`);
  const info = kernelInfo(o.kernel.matrix);
  const h = o.kernel.matrix.length;
  const w = o.kernel.matrix[0]!.length;
  lines.push(`  ${w}x${h}, sum ${fmt(info.sum)}${info.separable ? ', separable' : ''}${o.kernel.divisor ? `, divisor ${o.kernel.divisor}` : ''}, output ${o.output}${o.combine !== 'none' ? `, combine ${o.combine} of ${all.length} kernels` : ''}`);
  all.forEach((m, i) => {
    if (all.length > 1) lines.push(`  kernel ${i + 1}:`);
    const cells = m.map((r) => r.map(fmt));
    const width = Math.max(...cells.flat().map((c) => c.length));
    for (const r of cells) lines.push('    ' + r.map((c) => c.padStart(width)).join(' '));
  });
  return lines.join('\n');
}

/** Runs the kernels command; returns the exit code. */
export async function kernelsCommand(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { param: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(kernelsUsage);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError('give at most one kernel name');
    const name = positionals[0];
    const params = parseParams(values.param ?? []);
    if (!name) {
      if (Object.keys(params).length) throw new UsageError('--param needs a kernel NAME');
      if (values.json) {
        console.log(JSON.stringify(kernelPresets.map((p) => ({ name: p.name, description: p.description, params: p.params, ...presetOptions(p.name) })), null, 2));
      } else {
        console.log(kernelPresets.map((p) => describePreset(p)).join('\n\n'));
      }
      return 0;
    }
    const preset = findPreset(name);
    if (!preset) throw new UsageError(`unknown kernel “${name}” (known: ${kernelPresets.map((p) => p.name).join(', ')})`);
    if (values.json) process.stdout.write(kernelFileText(presetOptions(name, params).kernel));
    else console.log(describePreset(preset, params));
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`onirique kernels: ${msg} (see “onirique kernels --help”)`);
    return 2;
  }
}
