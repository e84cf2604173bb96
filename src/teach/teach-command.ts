/** `onirique train`: trains a classifier head on a folder of photos (one subfolder per class) and saves it as a model folder. */
import { parseArgs } from 'node:util';
import { AbortError } from '../core/job';
import { defaultModelDir } from '../cli/model-files';
import { UsageError } from '../filter/filter-command';
import { augmentNames, noAugment, type AugmentOptions } from './compute/augment';
import { formatConfusion } from './compute/confusion';
import { defaultHeadOptions, type EpochStats } from './compute/head';
import { defaultTrainRun, runTraining } from './teach-run';

/** The train command's usage (printed by --help and on a usage error). */
export const trainUsage =
  'usage: onirique train --data DIR --out MODEL_DIR [--epochs 20] [--val 0.2] [--layer L] [--augment flip,crop,jitter] [--views 4] ' +
  '[--batch 16] [--lr 0.001] [--dropout 0.2] [--patience 5] [--seed 1] [--model BASE_DIR]\n' +
  '  DIR holds one subfolder per class; MODEL_DIR is written as a tfjs LayersModel folder (model.json + shards, labels.json, onirique-model.json)';

function numberOption(name: string, raw: string, ok: (v: number) => boolean, what: string): number {
  const v = Number(raw);
  if (!raw.trim() || !ok(v)) throw new UsageError(`--${name} must be ${what}, not “${raw}”`);
  return v;
}

/** `--augment flip,crop,jitter` (or none) and `--views N` as augmentation options. */
export function parseAugment(list: string | undefined, views: string | undefined): AugmentOptions {
  if (!list || list === 'none') {
    if (views !== undefined) throw new UsageError('--views needs --augment');
    return noAugment;
  }
  const names = list.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(augmentNames as readonly string[]).includes(n));
  if (bad.length) throw new UsageError(`--augment takes ${augmentNames.join(', ')} or none, not “${bad.join(',')}”`);
  const n = views === undefined ? 4 : numberOption('views', views, (v) => Number.isInteger(v) && v >= 2 && v <= 32, 'an integer from 2 to 32');
  return { flip: names.includes('flip'), crop: names.includes('crop'), jitter: names.includes('jitter'), views: n };
}

const fmt = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(3));

/** One line per epoch, as the CLI prints it. */
export function epochLine(e: EpochStats, epochs: number): string {
  return `epoch ${String(e.epoch).padStart(String(epochs).length)}/${epochs}  loss ${fmt(e.loss)}  acc ${fmt(e.accuracy)}  val_loss ${fmt(e.valLoss)}  val_acc ${fmt(e.valAccuracy)}  ETA ${Math.round(e.etaSeconds)} s`;
}

function parseTrainArgs(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' }, epochs: { type: 'string', default: '20' }, val: { type: 'string', default: '0.2' },
      layer: { type: 'string', default: 'auto' }, augment: { type: 'string' }, views: { type: 'string' }, batch: { type: 'string', default: String(defaultHeadOptions.batchSize) },
      lr: { type: 'string', default: String(defaultHeadOptions.learningRate) }, dropout: { type: 'string', default: String(defaultHeadOptions.dropout) },
      patience: { type: 'string', default: String(defaultHeadOptions.patience) }, seed: { type: 'string', default: '1' },
    },
  });
  if (positionals.length || !values.data || !values.out) throw new UsageError(trainUsage);
  const head = {
    epochs: numberOption('epochs', values.epochs, (v) => Number.isInteger(v) && v >= 1 && v <= 1000, 'an integer from 1 to 1000'),
    batchSize: numberOption('batch', values.batch, (v) => Number.isInteger(v) && v >= 1 && v <= 1024, 'an integer from 1 to 1024'),
    learningRate: numberOption('lr', values.lr, (v) => v > 0 && v <= 1, 'a number in (0, 1]'),
    dropout: numberOption('dropout', values.dropout, (v) => v >= 0 && v < 1, 'a number in [0, 1)'),
    patience: numberOption('patience', values.patience, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer (0 = no early stop)'),
    seed: numberOption('seed', values.seed, (v) => Number.isInteger(v), 'an integer'),
  };
  const valFraction = numberOption('val', values.val, (v) => v >= 0 && v < 1, 'a fraction in [0, 1)');
  return { data: values.data, out: values.out, model: values.model ?? defaultModelDir(), layer: values.layer, valFraction, augment: parseAugment(values.augment, values.views), head };
}

/** Runs the train command; returns the exit code (130 when cancelled with Ctrl+C: nothing is written then). */
export async function trainCommand(argv: string[], signal?: AbortSignal): Promise<number> {
  const o = parseTrainArgs(argv);
  const ctl = new AbortController();
  const onSigint = () => ctl.abort();
  process.once('SIGINT', onSigint);
  signal?.addEventListener('abort', onSigint, { once: true });
  let lastShown = 0;
  try {
    const r = await runTraining({ ...defaultTrainRun, ...o }, {
      signal: ctl.signal,
      onLine: (l) => console.log(l),
      onEpoch: (e) => console.log(epochLine(e, o.head.epochs)),
      onProgress: (p) => {
        // Feature extraction: a line each 10 % (the epochs print their own lines).
        if (p.label.startsWith('features') && (p.fraction >= 1 || p.fraction - lastShown >= 0.1)) {
          lastShown = p.fraction;
          console.error(p.label);
        }
      },
    });
    if (r.stoppedEarly) console.log(`stopped early: no better validation loss after epoch ${r.bestEpoch}`);
    console.log(`classes: ${r.classes.join(', ')} (${r.trainPhotos} training photos, ${r.valPhotos} validation photos${r.skipped.length ? `, ${r.skipped.length} skipped` : ''})`);
    console.log(`features: ${r.viewsPerSecond.toFixed(1)} views/s (${r.featureSeconds.toFixed(1)} s); head: ${r.headSeconds.toFixed(1)} s; best epoch ${r.bestEpoch}`);
    console.log(Number.isNaN(r.valAccuracy) ? `training accuracy ${r.trainAccuracy.toFixed(3)} (no validation set)` : `validation accuracy ${r.valAccuracy.toFixed(3)}`);
    console.log(`confusion matrix (${r.valPhotos ? 'validation' : 'training'}):\n${formatConfusion(r.confusion, r.classes)}`);
    console.log(`saved → ${o.out} (model.json sha256 ${r.modelSha256})`);
    return 0;
  } catch (e) {
    if (!(e instanceof AbortError)) throw e;
    console.error('onirique train: cancelled; nothing was written');
    return 130;
  } finally {
    process.off('SIGINT', onSigint);
    signal?.removeEventListener('abort', onSigint);
  }
}
