/** The `onirique` command line's dispatcher: usage, --help and exit codes for every command. */
import { classifyCommand, classifyUsage } from '../explain/classify-command';
import { dreamCommand, dreamUsage } from '../dream/dream-command';
import { dreamZoomCommand, dreamZoomUsage } from '../dream/dream-zoom-command';
import { filterCommand, UsageError } from '../filter/filter-command';
import { gradcamCommand, gradcamUsage } from '../explain/gradcam-command';
import { kernelsCommand } from '../filter/kernels-command';
import { modelsCommand, modelsUsage } from '../models/models-command';
import { networkCommand, networkUsage } from '../teach/network-command';
import { trainCommand, trainUsage } from '../teach/teach-command';
import { backendUsage, takeBackendOption } from './backend-option';
import { initNodeBackend } from './node-backend';

type Command = (argv: string[]) => Promise<number>;

// filter and kernels answer --help themselves; these commands' parsers are strict, so main answers for them.
const helpOf: Record<string, string> = { classify: classifyUsage, dream: dreamUsage, 'dream-zoom': dreamZoomUsage, gradcam: gradcamUsage, models: modelsUsage, network: networkUsage, train: trainUsage };

/** A mistake in the command line (exit 2): ours, or one node's parseArgs reports (unknown or malformed option). */
function isUsageMistake(e: unknown): boolean {
  if (e instanceof UsageError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

const commands: Record<string, Command> = {
  classify: classifyCommand,
  dream: dreamCommand,
  'dream-zoom': dreamZoomCommand,
  filter: filterCommand,
  gradcam: gradcamCommand,
  kernels: kernelsCommand,
  models: modelsCommand,
  network: networkCommand,
  train: trainCommand,
};

const usage = `usage: onirique <command> [options]
commands:
  filter --kernel NAME|--kernel-file K.json|--settings-from EXPORT.png [--param k=v] [--channels luma|rgb|sum] [--border zero|replicate|reflect|symmetric|wrap]
         [--mode same|valid] [--output clamp|abs|abs-max|offset] [--stride N] [--dilation N] [--flip] IN OUT
                                  apply a convolution kernel (e.g. edges-horizontal)
  kernels [NAME [--param k=v]] [--json]   list the preset kernels with their matrices
  models list|install [ID]|import DIR|remove ID   manage the model cache
  dream [--layer conv_pw_9_relu[:W],...] [--channels 3,17] [--steps 20] [--octaves 4] [--octave-scale 1.4]
        [--step-size 0.01] [--jitter 32] [--tile 512] [--mask MASK.png] [--pattern-size auto|N] [--guide IMG]
        [--seed 1] [--model DIR] IN OUT
                                  Deep Dream (mask: white = dream, black = keep)
  dream-zoom [--frames 30] [--zoom 1.05] [--delay 100] [--frames-dir DIR] [dream options] IN OUT.webp|OUT.gif
                                  infinite zoom: each frame the previous one zoomed in and dreamt again
  classify [--model DIR] [--top 5] [--fit resize|center-crop] IN   top classes, e.g. "85.2%  espresso (967)"
  classify [options] --out-dir DIR IN... | FOLDER   many photos, one model load, a CSV summary
  gradcam [--class N|auto] [--layer L] [--method gradcam|gradcam++|guided|scorecam|hirescam|xgradcam|layercam|eigencam|eigengradcam|ablationcam]
          [--colormap jet|turbo|viridis|inferno] [--alpha 0.5] [--fit resize|center-crop|tiles] [--smooth] [--eigen-smooth]
          [--score-channels N|all] [--eps 1e-6] [--faithfulness] [--grid GRID.png] [--raw CAM.npy|CAM.csv] [--heatmap HEAT16.png] [--model DIR] IN OUT.png
  gradcam [options] --out-dir DIR IN... | FOLDER   many photos, one model load, a CSV summary
                                  class activation map overlay (parameters stored in PNG text chunks)
  train --data DIR --out MODEL_DIR [--epochs 20] [--val 0.2] [--layer L] [--augment flip,crop,jitter] [--views 4] [--model DIR]
                                  train a classifier on your photos (DIR: one subfolder per class); classify/gradcam take --model MODEL_DIR
  network [--model DIR] [--json]  the model as a table: type, kernel, stride, output shape, parameters, receptive field
${backendUsage}`;

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
    const { backend, rest: args } = takeBackendOption(rest);
    await initNodeBackend(backend ?? process.env.ONIRIQUE_BACKEND);
    return await cmd(args);
  } catch (e) {
    const usageMistake = isUsageMistake(e);
    const message = e instanceof Error ? e.message : String(e);
    console.error(`onirique ${name}: ${message}${usageMistake && help && message !== help ? `\n${help}` : ''}`);
    return usageMistake ? 2 : 1;
  }
}
