/** `onirique models list|install [ID]|import DIR|remove ID`: the model manager on the command line. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { HostProgress, ModelEntry } from '../host/host-contract';
import { DEFAULT_MODEL_ID } from '../services/model-catalog';
import type { PixelRange } from '../services/model-files';
import { ModelStore } from '../services/model-store';
import { UsageError } from '../filter/filter-command';

/** The models command's usage (printed by --help and on a usage error). */
export const modelsUsage = `usage: onirique models list [--json]
       onirique models install [ID]          (default ${DEFAULT_MODEL_ID})
       onirique models import DIR [--name NAME] [--labels FILE] [--input-size N] [--range -1..1|0..1]
       onirique models remove ID
options: --user-data DIR (default: ONIRIQUE_USER_DATA, else the app's own user data folder)`;

/** The folder Electron uses as userData for "Onirique", so the CLI and the app share one model cache. */
export function defaultUserDataDir(): string {
  if (process.env.ONIRIQUE_USER_DATA) return process.env.ONIRIQUE_USER_DATA;
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Onirique');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Onirique');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Onirique');
}

function formatBytes(n: number | undefined): string {
  if (n === undefined) return '?';
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

/** “1000 labels from imagenet_labels.json”, or “no labels” (then classes are shown by number). */
function labelsText(m: ModelEntry): string {
  return m.labels ? `${m.labels.length} labels from ${m.labelsSource ?? 'labels.json'}` : 'no labels';
}

function describe(m: ModelEntry): string {
  const labels = labelsText(m);
  const state = m.installed ? 'installed' : 'not installed';
  return `${m.id}\t${state}\t${m.name}\tinput ${m.inputSize} range ${m.range}\t${labels}\t${formatBytes(m.bytes)}\tsha256 ${m.sha256 ?? '-'}`;
}

function progressPrinter(): (p: HostProgress) => void {
  let lastTenth = -1;
  return (p) => {
    const pct = p.total > 0 ? (100 * p.done) / p.total : 0;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${pct.toFixed(0).padStart(3)}%  ${formatBytes(p.done)} / ${formatBytes(p.total)}  ${p.label}\x1b[K`);
      return;
    }
    const tenth = Math.floor(pct / 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      process.stderr.write(`${pct.toFixed(0)}% (${p.done}/${p.total} bytes)\n`);
    }
  };
}

function parseRange(v: string | undefined): PixelRange | undefined {
  if (v === undefined) return undefined;
  if (v === '-1..1' || v === '0..1') return v;
  throw new Error(`--range must be -1..1 or 0..1, not “${v}”`);
}

function parseSize(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--input-size must be a whole number of pixels, not “${v}”`);
  return n;
}

/** Runs the models command; returns the exit code. */
export async function modelsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'user-data': { type: 'string' },
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      labels: { type: 'string' },
      'input-size': { type: 'string' },
      range: { type: 'string' },
    },
  });
  const [sub, ...args] = positionals;
  const store = new ModelStore(values['user-data'] ?? defaultUserDataDir());
  switch (sub) {
    case 'list': {
      const models = await store.list();
      if (values.json) console.log(JSON.stringify(models.map((m) => ({ ...m, labels: m.labels?.length ?? null })), null, 2));
      else for (const m of models) console.log(describe(m));
      return 0;
    }
    case 'install': {
      if (args.length > 1) throw new UsageError(modelsUsage);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const entry = await store.install(args[0] ?? DEFAULT_MODEL_ID, { onProgress: progressPrinter(), signal: controller.signal });
        if (process.stderr.isTTY) process.stderr.write('\n');
        console.log(`installed ${entry.id} in ${await store.installedDir(entry.id)}`);
        return 0;
      } catch (e) {
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (e instanceof Error && e.name === 'AbortError') throw new Error('download cancelled; nothing was installed.', { cause: e });
        throw e;
      } finally {
        process.off('SIGINT', onSigint);
      }
    }
    case 'import': {
      const [dir] = args;
      if (!dir || args.length !== 1) throw new UsageError(modelsUsage);
      const entry = await store.importFrom(dir, {
        name: values.name,
        labelsFile: values.labels,
        inputSize: parseSize(values['input-size']),
        range: parseRange(values.range),
      });
      console.log(`imported ${entry.id} (${entry.format ?? 'layers-model'}, input ${entry.inputSize}, range ${entry.range}, ${labelsText(entry)}) into ${await store.installedDir(entry.id)}`);
      return 0;
    }
    case 'remove': {
      const [id] = args;
      if (!id || args.length !== 1) throw new UsageError(modelsUsage);
      await store.remove(id);
      console.log(`removed ${id}`);
      return 0;
    }
    default:
      throw new UsageError(modelsUsage);
  }
}
