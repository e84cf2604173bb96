/** The `--backend` option every command takes, parsed once by the dispatcher before the command's own parser. */
import { UsageError } from '../filter/filter-command';

/** Backends a command line may ask for. */
export const cliBackends = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

/** One of cliBackends. */
export type CliBackend = (typeof cliBackends)[number];

/** One usage line for the dispatcher's help. */
export const backendUsage = `every command takes --backend ${cliBackends.join('|')} (default auto: webgpu on a hardware GPU, else wasm; env ONIRIQUE_BACKEND)`;

function parseBackend(v: string | undefined): CliBackend {
  const b = cliBackends.find((c) => c === v);
  if (!b) throw new UsageError(`--backend takes ${cliBackends.join('|')}, not “${v ?? ''}”`);
  return b;
}

/**
 * Removes `--backend X` / `--backend=X` from argv (anywhere before a `--`); returns the choice
 * (undefined when absent) and the rest for the command's own strict parser.
 */
export function takeBackendOption(argv: readonly string[]): { backend: CliBackend | undefined; rest: string[] } {
  const rest: string[] = [];
  let backend: CliBackend | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--backend') backend = parseBackend(argv[++i]);
    else if (a.startsWith('--backend=')) backend = parseBackend(a.slice('--backend='.length));
    else rest.push(a);
  }
  return { backend, rest };
}
