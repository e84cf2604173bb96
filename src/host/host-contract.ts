/**
 * The host boundary: everything the renderer may ask of the machine it runs on.
 * `hostTable` below is the one declaration of the host API (arguments, result, IPC channel, web route);
 * every implementation is derived from it or checked against it, so a change here breaks each at compile time.
 */

import type {
  RgbaImage,
  OpenedDocument,
  HostResult,
  ExportRequest,
  ExportResult,
  ExportBytesRequest,
  ExportAnimationRequest,
  RecentEntry,
  Settings,
  ModelEntry,
  TrainedModelRequest,
  RecoveryInfo,
  RecoveryTilesUpdate,
  HostProgress,
  HostCallOptions,
  MenuCommand,
} from './host-types';

/** The types of the table's arguments and results, re-exported so every side imports the boundary from one module. */
export * from './host-types';

/** An IPC channel name (also the e2e binding's event name, without the prefix). */
export type Channel = `onirique:${string}`;

/** An HTTP route of `npm run web`, relative to the page; `:name` segments carry the argument of that name. */
export interface HttpRoute {
  verb: 'GET' | 'POST';
  path: string;
}

/** How the browser host serves a method: over an HTTP route of the local server, or in the page itself. */
export type WebRoute = HttpRoute | 'page';

/** Never set: carries a method's argument and result types from the table to everything derived from it. */
interface Signature<A extends unknown[], R> {
  readonly signature?: (...args: A) => R;
}

/** Argument names, one per argument: the arity every bridge sends, and the names of route segments. */
type Params<A extends unknown[]> = { readonly [I in keyof A]: string };

/**
 * One row of the table. `invoke`: the renderer awaits a result (ipcRenderer.invoke); `send`: fire and
 * forget (ipcRenderer.send); `event`: main pushes a payload, the renderer registers a handler.
 * `progress`: the channel on which main reports `{ id: <first argument>, progress }` during the call.
 */
type MethodShape<A extends unknown[], R> = Signature<A, R> &
  (
    | { mode: 'invoke'; channel: Channel; params: Params<A>; progress?: Channel; web: WebRoute }
    | { mode: 'send'; channel: Channel; params: Params<A>; web: WebRoute }
    | { mode: 'event'; channel: Channel; web: 'page' }
  );

/** Declares a row: types first (`method<Args, Result>()`), then the literal row, kept as written. */
function method<A extends unknown[], R = void>() {
  return <const S extends MethodShape<A, R>>(row: S): S & Signature<A, R> => row;
}

/**
 * THE host API: every method the renderer may call, with its arguments, result, IPC channel and web
 * route. HostApi, IpcChannel, the preload bridge, the IPC handlers, the browser host, the web server's
 * routes, the binding host and the e2e harness are all derived from or checked against it; adding a
 * row breaks `tsc -b` until each of them handles it.
 */
export const hostTable = {
  /** Shows an open dialog; null when the user cancels. */
  openDialog: method<[], HostResult<OpenedDocument> | null>()({ mode: 'invoke', channel: 'onirique:open-dialog', params: [], web: 'page' }),
  /** Opens bytes the user dropped or pasted; the name is for display only. */
  openBytes: method<[name: string, bytes: Uint8Array], HostResult<OpenedDocument>>()({
    mode: 'invoke', channel: 'onirique:open-bytes', params: ['name', 'bytes'], web: { verb: 'POST', path: 'api/open' },
  }),
  /** Reopens a recent entry by its host-issued id. */
  openRecent: method<[id: string], HostResult<OpenedDocument>>()({ mode: 'invoke', channel: 'onirique:open-recent', params: ['id'], web: 'page' }),
  /** The full pixels of a document opened as a preview (`fullSize` set); asked once per document. */
  fullImage: method<[docId: string], HostResult<RgbaImage>>()({
    mode: 'invoke', channel: 'onirique:full-image', params: ['docId'], web: { verb: 'GET', path: 'api/documents/:docId/full' },
  }),
  /** The recent-files list, newest first. */
  recentList: method<[], RecentEntry[]>()({ mode: 'invoke', channel: 'onirique:recent-list', params: [], web: 'page' }),
  /** Asks where to save, then encodes and writes atomically; null when the user cancels. The browser encodes on its server (same encoder and metadata), then downloads. */
  exportImage: method<[req: ExportRequest], HostResult<ExportResult> | null>()({
    mode: 'invoke', channel: 'onirique:export-image', params: ['req'], web: { verb: 'POST', path: 'api/export' },
  }),
  /** Asks where to save, checks the bytes match `kind`, writes them atomically; null when the user cancels. */
  exportBytes: method<[req: ExportBytesRequest], HostResult<ExportResult> | null>()({ mode: 'invoke', channel: 'onirique:export-bytes', params: ['req'], web: 'page' }),
  /** Asks where to save, encodes the frames as an animated WebP or GIF and writes it atomically; null when the user cancels. The browser encodes on its server, then downloads. */
  exportAnimation: method<[req: ExportAnimationRequest], HostResult<ExportResult> | null>()({
    mode: 'invoke', channel: 'onirique:export-animation', params: ['req'], web: { verb: 'POST', path: 'api/export/animation' },
  }),
  /** Current settings. */
  getSettings: method<[], Settings>()({ mode: 'invoke', channel: 'onirique:get-settings', params: [], web: 'page' }),
  /** Merges a patch into the settings and persists it. */
  setSettings: method<[patch: Partial<Settings>], Settings>()({ mode: 'invoke', channel: 'onirique:set-settings', params: ['patch'], web: 'page' }),
  /** Known models (catalog and imported). */
  listModels: method<[], ModelEntry[]>()({ mode: 'invoke', channel: 'onirique:list-models', params: [], web: { verb: 'GET', path: 'api/models' } }),
  /** Downloads (if needed) and verifies a catalog model; HostApi adds `opts` (HostCallOptions) for its progress. */
  installModel: method<[id: string], HostResult<ModelEntry>>()({
    mode: 'invoke', channel: 'onirique:install-model', params: ['id'], progress: 'onirique:install-progress', web: { verb: 'POST', path: 'api/models/:id/install' },
  }),
  /** Cancels a running installModel; the partial download is discarded. */
  cancelInstall: method<[id: string]>()({ mode: 'send', channel: 'onirique:cancel-install', params: ['id'], web: 'page' }),
  /** Lets the user pick a tfjs model folder and imports it after validation; null when cancelled. */
  importModel: method<[], HostResult<ModelEntry> | null>()({ mode: 'invoke', channel: 'onirique:import-model', params: [], web: 'page' }),
  /** Saves a model the Teach panel trained (its folder's files as bytes) into the model manager, after the import checks. */
  saveTrainedModel: method<[req: TrainedModelRequest], HostResult<ModelEntry>>()({
    mode: 'invoke', channel: 'onirique:save-trained-model', params: ['req'], web: { verb: 'POST', path: 'api/models/trained' },
  }),
  /** Saves the whole document as a recovery snapshot (once edits pause); resolves to its id for later tile saves, null where the host keeps none. */
  saveRecovery: method<[image: RgbaImage, info: Omit<RecoveryInfo, 'savedAt'>], string | null>()({ mode: 'invoke', channel: 'onirique:save-recovery', params: ['image', 'info'], web: 'page' }),
  /** Saves a snapshot as tiles over snapshot `update.base`; resolves to the new id, or null (nothing saved) when the host holds another. */
  saveRecoveryTiles: method<[update: RecoveryTilesUpdate, info: Omit<RecoveryInfo, 'savedAt'>], string | null>()({
    mode: 'invoke', channel: 'onirique:save-recovery-tiles', params: ['update', 'info'], web: 'page',
  }),
  /** A snapshot left by a session that crashed, with its pixels; null when there is none. */
  takeRecovery: method<[], { info: RecoveryInfo; image: RgbaImage } | null>()({ mode: 'invoke', channel: 'onirique:take-recovery', params: [], web: 'page' }),
  /** Drops the snapshot (clean close, export, declined restore). */
  clearRecovery: method<[]>()({ mode: 'invoke', channel: 'onirique:clear-recovery', params: [], web: 'page' }),
  /** Tells the shell whether the document has unsaved changes (title mark, close prompt). */
  setDocumentEdited: method<[edited: boolean, title: string]>()({ mode: 'send', channel: 'onirique:set-document-edited', params: ['edited', 'title'], web: 'page' }),
  /** Mirrors job progress in the taskbar; null clears it. */
  setProgress: method<[fraction: number | null]>()({ mode: 'send', channel: 'onirique:set-progress', params: ['fraction'], web: 'page' }),
  /** Registers a handler for files the OS hands the app (second instance, open-file, menu). */
  onOpenDocument: method<[doc: HostResult<OpenedDocument>]>()({ mode: 'event', channel: 'onirique:open-document', web: 'page' }),
  /** Registers a handler for menu commands. */
  onMenuCommand: method<[command: MenuCommand]>()({ mode: 'event', channel: 'onirique:menu-command', web: 'page' }),
  /** Registers a handler called when models are installed, imported or removed (by any window, or the CLI on the same cache). */
  onModelsChanged: method<[]>()({ mode: 'event', channel: 'onirique:models-changed', web: 'page' }),
};

/** The table's type. */
export type HostTable = typeof hostTable;
/** A host method's name. */
export type HostMethod = keyof HostTable;
type RowArgs<S> = S extends { readonly signature?: (...args: infer A) => unknown } ? A : never;
type RowResult<S> = S extends { readonly signature?: (...args: never) => infer R } ? R : never;
/** Arguments of a method as the table declares them (what crosses the boundary). */
export type MethodArgs<K extends HostMethod> = RowArgs<HostTable[K]>;
/** Result of a method (awaited for `invoke`). */
export type MethodResult<K extends HostMethod> = RowResult<HostTable[K]>;
/** Methods of one mode. */
export type MethodsOf<M extends HostTable[HostMethod]['mode']> = { [K in HostMethod]: HostTable[K]['mode'] extends M ? K : never }[HostMethod];
/** Methods that cross from the renderer to the host (everything but events). */
export type WireMethod = MethodsOf<'invoke' | 'send'>;
/** Methods the browser host reaches over an HTTP route. */
export type WebMethod = { [K in HostMethod]: HostTable[K]['web'] extends HttpRoute ? K : never }[HostMethod];

type ApiOf<S> = S extends { mode: 'event' }
  ? (handler: (...payload: RowArgs<S>) => void) => void
  : S extends { mode: 'send' }
    ? (...args: RowArgs<S>) => void
    : S extends { progress: Channel }
      ? (...args: [...RowArgs<S>, opts?: HostCallOptions]) => Promise<RowResult<S>>
      : (...args: RowArgs<S>) => Promise<RowResult<S>>;

/** The host API exposed on `window.onirique`: one method per table row. */
export type HostApi = { readonly kind: 'electron' | 'web' | 'harness' } & { [K in HostMethod]: ApiOf<HostTable[K]> };

/** Every method name, in table order (Object.keys cannot type its result, hence the one cast). */
export const hostMethods = Object.keys(hostTable) as HostMethod[];

/** True when `name` is a row of one of these modes (narrows it for mode-specific handler tables). */
export function hasMode<M extends HostTable[HostMethod]['mode']>(name: HostMethod, ...modes: M[]): name is MethodsOf<M> {
  return modes.some((m) => m === hostTable[name].mode);
}

/** True for a table method the renderer calls across the boundary (e.g. a name arriving over the e2e binding). */
export function isWireMethod(name: string): name is WireMethod {
  return hostMethods.some((m) => m === name && hasMode(m, 'invoke', 'send'));
}

/** True for methods the browser host reaches over HTTP. */
export function isWebMethod(name: HostMethod): name is WebMethod {
  return hostTable[name].web !== 'page';
}

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type RowChannels<S> = (S extends { channel: infer C } ? C : never) | (S extends { progress: infer P } ? P : never);
type AnyChannel = RowChannels<HostTable[HostMethod]>;

/** IPC channel names by camel-cased name (`onirique:open-document` → openDocument), from the table. */
export const IpcChannel = Object.fromEntries(
  Object.values(hostTable)
    .flatMap((row): Channel[] => ('progress' in row ? [row.channel, row.progress] : [row.channel]))
    .map((c) => [c.slice('onirique:'.length).replace(/-(.)/g, (_m, x: string) => x.toUpperCase()), c]),
) as { readonly [C in AnyChannel as C extends `onirique:${infer N}` ? Camel<N> : never]: C };

/** Largest image the app opens, in pixels (decompression-bomb guard). */
export const MAX_PIXELS = 100_000_000;
/** Largest side the app opens (the GPU texture limit is handled by tiling, this is a sanity cap). */
export const MAX_SIDE = 32_768;

/** What a bridge supplies to turn the table into a HostApi (see hostFromTransport). */
export interface HostTransport {
  /** Sends an `invoke` row's arguments and resolves to the host's answer; `onProgress` gets the row's progress reports. */
  invoke(method: WireMethod, args: unknown[], onProgress?: (p: HostProgress) => void): Promise<unknown>;
  /** Sends a `send` row's arguments; nothing comes back. */
  send(method: WireMethod, args: unknown[]): void;
  /** Registers a handler for an `event` row's payloads. */
  listen(method: MethodsOf<'event'>, handler: (payload: unknown) => void): void;
}

function isCallOptions(v: unknown): v is HostCallOptions {
  return typeof v === 'object' && v !== null;
}

/** One HostApi method over a transport; exactly the row's arity crosses, extra arguments (HostCallOptions) stay here. */
function bridgeMethod(name: HostMethod, t: HostTransport): unknown {
  if (hasMode(name, 'event')) return (handler: (payload: unknown) => void) => t.listen(name, handler);
  const row = hostTable[name];
  const arity = row.params.length;
  const wire = (args: unknown[]) => Array.from({ length: arity }, (_, i) => args[i]);
  if (row.mode === 'send') return (...args: unknown[]) => t.send(name, wire(args));
  if (!('progress' in row)) return (...args: unknown[]) => t.invoke(name, wire(args));
  return (...args: unknown[]) => {
    const opts = args[arity];
    return t.invoke(name, wire(args), isCallOptions(opts) ? opts.onProgress : undefined);
  };
}

/** A HostApi with one method per table row, built by iterating the table (the preload bridge, the binding host). */
export function hostFromTransport(kind: HostApi['kind'], t: HostTransport): HostApi {
  const api: Record<string, unknown> = { kind };
  for (const name of hostMethods) api[name] = bridgeMethod(name, t);
  // Built key by key from the table, so its type cannot be inferred; each method's shape follows its row's mode.
  return api as HostApi;
}

/** Names of the `:name` segments of a route path. */
export type RouteParams<P extends string> = P extends `${string}:${infer N}/${infer R}` ? N | RouteParams<R> : P extends `${string}:${infer N}` ? N : never;

const SEGMENT = /:([A-Za-z]+)/g;

/** A route's path, relative to the page, with its `:name` segments filled in (URI-encoded). */
export function routeUrl(route: HttpRoute, values: Readonly<Record<string, string>>): string {
  return route.path.replace(SEGMENT, (_m, n: string) => encodeURIComponent(values[n] ?? ''));
}

/** The decoded `:name` values when `pathname` (absolute, as the server sees it) is this route's path; null otherwise. */
export function matchRoute<P extends string>(route: { path: P }, pathname: string): Record<RouteParams<P>, string> | null {
  const names: string[] = [];
  const pattern = route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(SEGMENT, (_m, n: string) => (names.push(n), '([^/]+)'));
  const m = new RegExp(`^/${pattern}$`).exec(pathname);
  // The names come from the path itself, so the object has exactly RouteParams<P>; Object.fromEntries cannot say so.
  return m ? (Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])) as Record<RouteParams<P>, string>) : null;
}
