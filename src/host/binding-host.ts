/** HostApi over a JSON-only function binding: how the e2e harness plugs the real main-process services in. */
import { hostFromTransport, hostTable, type Channel, type HostApi, type MethodResult, type WireMethod } from './host-contract';
import { decodeBinary, encodeBinary } from './binary-json';

/** The binding Playwright's exposeBinding installs on window. */
export type HostBinding = (method: string, args: unknown) => Promise<unknown>;

/**
 * What the other end of the binding implements: one handler per method that crosses (a missing or
 * extra one fails `tsc`). Arguments arrive untrusted; the result is what the table says.
 */
export type BindingHandlers<C> = { [K in WireMethod]: (ctx: C, args: readonly unknown[]) => Promise<MethodResult<K>> | MethodResult<K> };

/** The name events travel under through `window.__oniriqueEmit`: the channel without its prefix. */
export function bindingEvent(channel: Channel): string {
  return channel.slice('onirique:'.length);
}

type Listener = (payload: unknown) => void;

/** Builds a HostApi whose calls go through `binding`; events arrive via `window.__oniriqueEmit`. */
export function createBindingHost(binding: HostBinding): HostApi {
  const listeners = new Map<string, Listener[]>();
  (window as unknown as { __oniriqueEmit: (ch: string, p: unknown) => void }).__oniriqueEmit = (ch, p) => {
    for (const l of listeners.get(ch) ?? []) l(decodeBinary(p));
  };
  const on = (ch: string, l: Listener) => listeners.set(ch, [...(listeners.get(ch) ?? []), l]);
  const call = async <K extends WireMethod>(method: K, args: unknown[]): Promise<unknown> => decodeBinary(await binding(method, encodeBinary(args)));
  return hostFromTransport('harness', {
    invoke: (method, args, onProgress) => {
      const row = hostTable[method];
      // The harness emits the bare HostProgress (one install at a time in a test).
      if (onProgress && 'progress' in row) on(bindingEvent(row.progress), onProgress as Listener);
      return call(method, args);
    },
    send: (method, args) => void call(method, args),
    listen: (method, handler) => on(bindingEvent(hostTable[method].channel), handler),
  });
}
