/** The worker's `dream` op: finds the loaded network by model id and runs the engine on it. */
import type { PlainNet } from '../net/plain-net';
import type { JobContext } from '../job';
import type { DreamOptions } from './dream-options';
import { dream } from './dream';
import type { DreamMask } from './mask';
import { dreamNetFromPlain } from './plain-net-dream';
import type { Rgba } from '../../protocol';

/** Input of the dream op: the image, an optional mask (0..1 floats or 0..255 bytes), options, model. */
export interface DreamOpInput {
  image: Rgba;
  mask?: DreamMask | null;
  options: Partial<DreamOptions>;
  modelId: string;
}

/** Finds a loaded PlainNet by model id (the worker's model cache). */
export type NetLookup = (modelId: string) => PlainNet | undefined | Promise<PlainNet | undefined>;

// Until the model manager's worker cache exists, loaded nets are registered here by id.
const registry = new Map<string, PlainNet>();

/** Makes a loaded network available to the dream op under its id (replaces any previous one). */
export function registerDreamNet(id: string, net: PlainNet): void {
  registry.set(id, net);
}

/** Default lookup: the registry above. */
export const registeredNet: NetLookup = (id) => registry.get(id);

/** Runs the dream op; the input image is never modified (Cancel leaves the document as it was). */
export async function runDreamOp(input: DreamOpInput, ctx: JobContext, lookup: NetLookup = registeredNet): Promise<Rgba> {
  const net = await lookup(input.modelId);
  if (!net) throw new Error(`The model “${input.modelId}” is not loaded in the worker.`);
  const result = await dream(input.image, input.mask ?? null, input.options, dreamNetFromPlain(net), ctx);
  return result.image;
}
