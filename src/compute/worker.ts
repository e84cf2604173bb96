/** The one compute worker: owns tfjs, serves the ops of contract.ts one at a time. */
import { selectBackend } from './backend';
import { dreamHandlers } from '../dream/compute/dream-op';
import { explainHandlers } from '../explain/compute/explain-ops';
import { filterHandlers } from '../filter/compute/filter-op';
import { teachHandlers } from '../teach/compute/teach-op';
import { AbortError, type JobContext, type OpHandlers } from '../core/job';
import { modelHandlers } from '../core/net/model-cache';
import type { CallMsg, ComputeOps, FromWorker, OpName, ToWorker, WorkerOps } from './contract';
import { transferablesOf } from './contract';

const workerHandlers: OpHandlers<WorkerOps> = {
  init: (input) => selectBackend(input.backend, input.wasmPath),
};

const handlers: OpHandlers<ComputeOps> = { ...workerHandlers, ...modelHandlers, ...filterHandlers, ...dreamHandlers, ...explainHandlers, ...teachHandlers };

/** Calls the handler of the message's op; `op` and `input` are correlated through K, so no cast is needed. */
function runOp<K extends OpName>(msg: CallMsg<K>, ctx: JobContext): Promise<ComputeOps[K]['result']> {
  const handler: OpHandlers<ComputeOps>[K] = handlers[msg.op];
  return handler(msg.input, ctx);
}

const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function post(msg: FromWorker): void {
  self.postMessage(msg, { transfer: transferablesOf(msg) });
}

async function run(msg: CallMsg): Promise<void> {
  const { id } = msg;
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
    const result = await runOp(msg, ctx);
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
  queue = queue.then(() => run(msg));
};
