/** The Network view's table: each layer's type, kernel, stride, output shape, parameters and receptive field. */
import type * as tf from '@tensorflow/tfjs';

/** One row of the table. */
export interface NetworkRow {
  name: string;
  type: string;
  /** e.g. "3x3", or "" for layers without a window. */
  kernel: string;
  /** e.g. "2x2", or "". */
  stride: string;
  /** Output shape without the batch axis, e.g. [112, 112, 24]; -1 = any size. */
  outputShape: number[];
  params: number;
  /** Receptive field side in input pixels, or 'all' once a global pooling or dense layer mixed everything. */
  receptiveField: number | 'all';
}

type Cfg = Record<string, unknown>;

function pair(v: unknown): [number, number] | null {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && typeof v[0] === 'number') return [v[0], typeof v[1] === 'number' ? v[1] : v[0]];
  return null;
}

interface Field {
  rf: number;
  jump: number;
  global: boolean;
}

/** Window and stride of a layer (pooling or convolution), with its dilation folded into the window. */
function windowOf(cfg: Cfg): { k: [number, number] | null; s: [number, number] | null } {
  const k = pair(cfg.kernel_size ?? cfg.kernelSize ?? cfg.pool_size ?? cfg.poolSize);
  const s = pair(cfg.strides) ?? (k && (cfg.pool_size || cfg.poolSize) ? k : k ? [1, 1] : null);
  const d = pair(cfg.dilation_rate ?? cfg.dilationRate) ?? [1, 1];
  return { k: k ? [(k[0] - 1) * d[0] + 1, (k[1] - 1) * d[1] + 1] : null, s };
}

/** The table of a LayersModel, input to output (receptive fields follow the widest inbound path). */
export function networkTable(model: tf.LayersModel): NetworkRow[] {
  const fields = new Map<string, Field>();
  return model.layers.map((layer) => {
    const cfg = layer.getConfig() as Cfg;
    const type = layer.getClassName();
    const inbound = layer.inboundNodes.flatMap((n) => n.inboundLayers.map((l) => l.name));
    const ins = inbound.map((n) => fields.get(n)).filter((f): f is Field => !!f);
    const prev: Field = ins.length ? ins.reduce((a, b) => (b.rf > a.rf ? b : a)) : { rf: 1, jump: 1, global: false };
    const { k, s } = windowOf(cfg);
    let f: Field = { ...prev, global: prev.global || ins.some((i) => i.global) };
    if (type.startsWith('Global') || (type === 'Dense' && !f.global) || type === 'Flatten') f = { ...f, global: true };
    else if (k && s) f = { rf: prev.rf + (Math.max(k[0], k[1]) - 1) * prev.jump, jump: prev.jump * Math.max(s[0], s[1]), global: f.global };
    fields.set(layer.name, f);
    const shape = layer.outputShape as (number | null)[] | (number | null)[][];
    const first = Array.isArray(shape[0]) ? (shape[0] as (number | null)[]) : (shape as (number | null)[]);
    return {
      name: layer.name,
      type,
      kernel: k ? `${k[0]}x${k[1]}` : '',
      stride: k && s ? `${s[0]}x${s[1]}` : '',
      outputShape: first.slice(1).map((d) => d ?? -1),
      params: layer.countParams(),
      receptiveField: f.global ? 'all' : f.rf,
    };
  });
}

/** The table as aligned text with a total line (the CLI's `onirique network`). */
export function formatNetworkTable(rows: NetworkRow[]): string {
  const head = ['layer', 'type', 'kernel', 'stride', 'output', 'params', 'receptive field'];
  const cells = rows.map((r) => [r.name, r.type, r.kernel, r.stride, r.outputShape.map((d) => (d < 0 ? '?' : String(d))).join('x'), r.params.toLocaleString('en'), String(r.receptiveField)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i >= 5 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const total = rows.reduce((s, r) => s + r.params, 0);
  return [line(head), ...cells.map(line), `${rows.length} layers, ${total.toLocaleString('en')} parameters`].join('\n');
}
