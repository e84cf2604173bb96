/** The one compute worker: owns tfjs, serves the ops of protocol.ts one at a time. */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { applyFilter } from './compute/convolve';
import { runDreamOp } from './compute/dream/dream-op';
import { classifyOp, featureMapsOp, gradcamOp } from './compute/explain/explain-ops';
import { AbortError, type JobContext } from './compute/job';
import { getNet, loadModelOp } from './compute/net/model-cache';
import type { ComputeOps, FromWorker, OpName, ToWorker } from './protocol';
import { transferablesOf } from './protocol';

type Handlers = { [K in OpName]: (input: ComputeOps[K]['input'], ctx: JobContext) => Promise<ComputeOps[K]['result']> };

const handlers: Handlers = {
  init: (input) => selectBackend(input.backend, input.wasmPath),
  filter: (input, ctx) => applyFilter(input.image, input.options, ctx),
  memory: () => Promise.resolve({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes }),
  dream: (input, ctx) => runDreamOp(input, ctx, getNet),
  loadModel: (input) => loadModelOp(input),
  classify: (input) => classifyOp(input),
  gradcam: (input, ctx) => gradcamOp(input, ctx),
  featureMaps: (input) => featureMapsOp(input),
};

const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function post(msg: FromWorker): void {
  self.postMessage(msg, { transfer: transferablesOf(msg) });
}

async function run(id: number, op: OpName, input: ComputeOps[OpName]['input']): Promise<void> {
  const controller = controllers.get(id);
  if (!controller || controller.signal.aborted) {
    controllers.delete(id);
    post({ type: 'error', id, message: 'Cancelled', aborted: true });
    return;
  }
  const ctx: JobContext = {
    signal: controller.signal,
    onProgress: (p) => post({ type: 'progress', id, progress: p }),
  };
  try {
    const handler = handlers[op] as (i: typeof input, c: JobContext) => Promise<ComputeOps[OpName]['result']>;
    const result = await handler(input, ctx);
    post({ type: 'result', id, result });
  } catch (e) {
    const aborted = e instanceof AbortError || controller.signal.aborted;
    post({ type: 'error', id, message: aborted ? 'Cancelled' : e instanceof Error ? e.message : String(e), aborted });
  } finally {
    controllers.delete(id);
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    controllers.get(msg.id)?.abort();
    return;
  }
  controllers.set(msg.id, new AbortController());
  // tfjs backends are not re-entrant across ops that switch state: run jobs in arrival order.
  queue = queue.then(() => run(msg.id, msg.op, msg.input));
};
