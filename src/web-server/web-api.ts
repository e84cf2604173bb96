/**
 * The web server's side of the host table: one handler per method the browser host reaches over
 * HTTP (a row whose `web` is a route), matched on that row's verb and path. A routed row without a
 * handler fails `tsc` where the handlers are assembled (web-server.ts `webApi`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostMethods, hostTable, isWebMethod, matchRoute, type HostTable, type RouteParams, type WebMethod } from '../host/host-contract';

type PathOf<K extends WebMethod> = HostTable[K]['web'] extends { path: infer P extends string } ? P : never;

/** One request to a routed host method, with its route's `:name` segments decoded. */
export interface WebApiRequest<P extends string> {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Readonly<Record<RouteParams<P>, string>>;
}

/** The handler of every routed host method. */
export type WebApiHandlers = { [K in WebMethod]: (r: WebApiRequest<PathOf<K>>) => Promise<void> };

/** The routed methods, in table order. */
export const webMethods: readonly WebMethod[] = hostMethods.filter(isWebMethod);

/** Answers with the first of `handlers` whose row's verb and path match; false when none does. */
export async function serveHostApi(handlers: Partial<WebApiHandlers>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  for (const name of webMethods) {
    const handler = handlers[name];
    const route = hostTable[name].web;
    if (!handler || req.method !== route.verb) continue;
    const params = matchRoute(route, url.pathname);
    if (!params) continue;
    await handler({ req, res, url, params });
    return true;
  }
  return false;
}
