/** The `onirique` command line's dispatcher: usage, --help and exit codes for every command. */
import { classifyCommand, classifyUsage } from './commands/classify';
import { dreamCommand, dreamUsage } from './commands/dream';
import { filterCommand, UsageError } from './commands/filter';
import { gradcamCommand, gradcamUsage } from './commands/gradcam';
import { kernelsCommand } from './commands/kernels';
import { modelsCommand, modelsUsage } from './commands/models';
import { initNodeBackend } from './node-backend';

type Command = (argv: string[]) => Promise<number>;

// filter and kernels answer --help themselves; these commands' parsers are strict, so main answers for them.
const helpOf: Record<string, string> = { classify: classifyUsage, dream: dreamUsage, gradcam: gradcamUsage, models: modelsUsage };

/** A mistake in the command line (exit 2): ours, or one node's parseArgs reports (unknown or malformed option). */
function isUsageMistake(e: unknown): boolean {
  if (e instanceof UsageError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

const commands: Record<string, Command> = {
  classify: classifyCommand,
  dream: dreamCommand,
  filter: filterCommand,
  gradcam: gradcamCommand,
  kernels: kernelsCommand,
  models: modelsCommand,
};

const usage = `usage: onirique <command> [options]
commands:
  filter --kernel NAME|--kernel-file K.json [--param k=v] [--channels luma|rgb|sum] [--border zero|replicate|reflect|symmetric|wrap]
         [--mode same|valid] [--output clamp|abs|abs-max|offset] [--stride N] [--dilation N] [--flip] IN OUT
                                  apply a convolution kernel (e.g. edges-horizontal)
  kernels [NAME [--param k=v]] [--json]   list the preset kernels with their matrices
  models list|install [ID]|import DIR|remove ID   manage the model cache
  dream [--layer conv_pw_9_relu[:W],...] [--channels 3,17] [--steps 20] [--octaves 4] [--octave-scale 1.4]
        [--step-size 0.01] [--jitter 32] [--tile 512] [--mask MASK.png] [--seed 1] [--model DIR] IN OUT
                                  Deep Dream (mask: white = dream, black = keep)
  classify [--model DIR] [--top 5] [--fit resize|center-crop] IN   top classes, e.g. "85.2%  espresso (967)"
  gradcam [--class N|auto] [--layer L] [--method gradcam|gradcam++|guided|scorecam] [--colormap jet|turbo|viridis|inferno]
          [--alpha 0.5] [--fit resize|center-crop|tiles] [--smooth] [--raw CAM.npy|CAM.csv] [--heatmap HEAT16.png] [--model DIR] IN OUT.png
                                  class activation map overlay (parameters stored in PNG text chunks)`;

/** Entry point; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`onirique: unknown command “${name}”\n${usage}`);
    return 2;
  }
  const help = helpOf[name];
  if (help && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(help);
    return 0;
  }
  try {
    await initNodeBackend();
    return await cmd(rest);
  } catch (e) {
    const usageMistake = isUsageMistake(e);
    const message = e instanceof Error ? e.message : String(e);
    console.error(`onirique ${name}: ${message}${usageMistake && help && message !== help ? `\n${help}` : ''}`);
    return usageMistake ? 2 : 1;
  }
}
