/**
 * Compiles a tfjs LayersModel into plain-op steps: one step per addressable Keras layer, with
 * BatchNormalization folded into the convolution before it. Used by plain-net.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHas, backwardKernel, conv2dFwdGrad, depthwiseConvFwdGrad, fusedConv, fusedConvBlock, guidedRelu, tapeActive, type FusedAct } from './grad-ops';
import type { LayerInfo } from './layer-info';

/** How a step runs: guided ReLUs, and which gradient strategy convolutions use. */
export interface StepMode {
  guided: boolean;
  grads: 'auto' | 'forward-ops' | 'native';
}

/** One plain-op step producing the activation called `name` from the activations `inputs`. */
export interface Step {
  name: string;
  kind: string;
  inputs: string[];
  apply(inputs: tf.Tensor[], mode: StepMode): tf.Tensor;
  /** Convolutions with a linear activation: run with `act` fused into the kernel (null when that is not possible here). */
  applyFused?(inputs: tf.Tensor[], act: FusedAct, mode: StepMode): tf.Tensor | null;
  /** Activation steps a preceding convolution can absorb. */
  fusableAct?: FusedAct;
  dispose(): void;
}

/** Result of compiling a model. */
export interface CompiledModel {
  steps: Step[];
  inputName: string;
  layers: LayerInfo[];
  numClasses: number;
  anySize: boolean;
}

type Cfg = Record<string, unknown>;
type Act = (x: tf.Tensor, mode: StepMode) => tf.Tensor;

const identityKinds = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'InputLayer']);

function pair(v: unknown, dflt: number): [number, number] {
  if (v === undefined || v === null) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0] ?? dflt, a[1] ?? a[0] ?? dflt];
}

function activation(name: string, cfg: Cfg = {}): Act {
  switch (name) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x, m) => (m.guided ? guidedRelu(x, null) : tf.relu(x));
    case 'relu6':
      return (x, m) => (m.guided ? guidedRelu(x, 6) : tf.relu6(x));
    case 'sigmoid':
      return (x) => tf.sigmoid(x);
    case 'hard_sigmoid':
      return (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
    case 'tanh':
      return (x) => tf.tanh(x);
    case 'softmax':
      return (x) => tf.softmax(x, -1);
    case 'elu':
      return (x) => tf.elu(x);
    case 'selu':
      return (x) => tf.selu(x);
    case 'softplus':
      return (x) => tf.softplus(x);
    case 'softsign':
      return (x) => tf.div(x, tf.add(tf.abs(x), 1));
    case 'swish':
      return (x) => tf.mul(x, tf.sigmoid(x));
    case 'leaky_relu':
      return (x) => tf.leakyRelu(x, Number(cfg.alpha ?? 0.3));
    default:
      throw new Error(`activation “${name}” is not supported by the plain-op rebuild`);
  }
}

function weightsByRole(layer: tf.layers.Layer): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  layer.weights.forEach((w, i) => {
    const role = (w.originalName || w.name).split('/').pop()!.replace(/_\d+$/, '').replace(/:\d+$/, '');
    out.set(role, layer.getWeights()[i]!);
  });
  return out;
}

/** BatchNormalization as per-channel (scale, shift): y = x*scale + shift. */
function bnAffine(bn: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const cfg = bn.getConfig() as Cfg;
  const axis = Number(cfg.axis ?? -1);
  if (axis !== -1 && axis !== 3) throw new Error(`${bn.name}: BatchNormalization on axis ${axis} is not supported (channels-last only)`);
  const w = weightsByRole(bn);
  const eps = Number(cfg.epsilon ?? 1e-3);
  return tf.tidy(() => {
    const mean = w.get('moving_mean')!;
    const variance = w.get('moving_variance')!;
    const gamma = w.get('gamma') ?? tf.onesLike(mean);
    const beta = w.get('beta') ?? tf.zerosLike(mean);
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, eps))) as tf.Tensor1D;
    const shift = tf.sub(beta, tf.mul(mean, scale)) as tf.Tensor1D;
    return { scale, shift };
  });
}

function inboundNames(layer: tf.layers.Layer): string[] {
  const nodes = layer.inboundNodes;
  if (nodes.length > 1) throw new Error(`${layer.name}: shared layers (called more than once) are not supported`);
  return nodes.length ? nodes[0]!.inboundLayers.map((l) => l.name) : [];
}

/** The convolution's own copies of its kernel and bias, with a following BatchNormalization folded in. */
function convWeights(layer: tf.layers.Layer, bn: tf.layers.Layer | null, depthwise: boolean): { kernel: tf.Tensor4D; bias: tf.Tensor1D | undefined } {
  const w = weightsByRole(layer);
  const kernel = (depthwise ? w.get('depthwise_kernel') : w.get('kernel')) as tf.Tensor4D | undefined;
  if (!kernel) throw new Error(`${layer.name}: kernel weights not found`);
  const bias = w.get('bias') as tf.Tensor1D | undefined;
  if (!bn) return { kernel: tf.clone(kernel), bias: bias ? tf.clone(bias) : undefined };
  const { scale, shift } = bnAffine(bn);
  const [folded, foldedBias] = tf.tidy(() => {
    const [, , cin, m] = kernel.shape;
    const s = depthwise ? tf.reshape(scale, [cin, m]) : scale;
    const k = tf.mul(kernel, s) as tf.Tensor4D;
    const fb = bias ? tf.add(tf.mul(bias, scale), shift) : tf.clone(shift);
    return [k, fb as tf.Tensor1D];
  });
  scale.dispose();
  shift.dispose();
  return { kernel: folded, bias: foldedBias };
}

function convStep(layer: tf.layers.Layer, inputs: string[], bn: tf.layers.Layer | null): Step {
  const cfg = layer.getConfig() as Cfg;
  const kind = layer.getClassName();
  const fmt = String(cfg.data_format ?? cfg.dataFormat ?? 'channels_last').toLowerCase().replace('_', '');
  if (fmt !== 'channelslast') throw new Error(`${layer.name}: channels-first convolutions are not supported`);
  const depthwise = kind === 'DepthwiseConv2D';
  const strides = pair(cfg.strides, 1);
  const dil = pair(cfg.dilation_rate ?? cfg.dilationRate, 1);
  const padding = String(cfg.padding ?? 'valid') as 'same' | 'valid';
  if (padding !== 'same' && padding !== 'valid') throw new Error(`${layer.name}: padding “${padding}” is not supported`);
  const act = activation(String(cfg.activation ?? 'linear'), cfg);
  const { kernel: K, bias: B } = convWeights(layer, bn, depthwise);
  const dilated = dil[0] !== 1 || dil[1] !== 1;
  // Built on first use outside any tape (tf.keep), then reused by every backward pass.
  let KB: tf.Tensor4D | null = null;
  const kb = () => (KB ??= tf.keep(backwardKernel(K, depthwise, strides)));
  const ownAct = String(cfg.activation ?? 'linear');
  const forwardOpGrads = (mode: StepMode) =>
    mode.grads === 'forward-ops' ||
    (mode.grads === 'auto' &&
      (depthwise
        ? !backendHas('DepthwiseConv2dNativeBackpropInput')
        : // wasm has Conv2DBackpropInput, but a naive one: its XNNPACK forward conv is ~2x faster.
          !backendHas('Conv2DBackpropInput') || tf.getBackend() === 'wasm'));
  // One kernel for conv+bias+activation (XNNPACK clamps in the same pass), and with a tape one
  // customGrad for the block. Native-gradient mode keeps separate ops: tfjs's own fused-conv
  // gradient also computes the filter gradient, the ~20x slowdown this rebuild exists to avoid.
  const fused = (x4: tf.Tensor4D, act: FusedAct, mode: StepMode): tf.Tensor4D | null => {
    if (!tapeActive()) return fusedConv(x4, K, B, strides, padding, depthwise, act, dil);
    if (dilated || !forwardOpGrads(mode)) return null;
    return fusedConvBlock(x4, K, B, kb(), strides, padding, depthwise, act);
  };
  const ownFusable: FusedAct | null = ownAct === 'linear' || ownAct === 'relu' || ownAct === 'relu6' ? ownAct : null;
  return {
    name: bn ? bn.name : layer.name,
    kind,
    inputs,
    apply: ([x], mode) => {
      const x4 = x as tf.Tensor4D;
      if (ownFusable && !(mode.guided && ownFusable !== 'linear')) {
        const y = fused(x4, ownFusable, mode);
        if (y) return y;
      }
      let y: tf.Tensor4D;
      if (depthwise) {
        y = !dilated && forwardOpGrads(mode) ? depthwiseConvFwdGrad(x4, K, strides, padding, kb()) : tf.depthwiseConv2d(x4, K, strides, padding, 'NHWC', dil);
      } else {
        y = !dilated && forwardOpGrads(mode) ? conv2dFwdGrad(x4, K, strides, padding, kb()) : tf.conv2d(x4, K, strides, padding, 'NHWC', dil);
      }
      return act(B ? tf.add(y, B) : y, mode);
    },
    applyFused: ownAct === 'linear' ? ([x], a, mode) => (mode.guided && a !== 'linear' ? null : fused(x as tf.Tensor4D, a, mode)) : undefined,
    dispose: () => {
      K.dispose();
      B?.dispose();
      KB?.dispose();
    },
  };
}

function simpleStep(name: string, kind: string, inputs: string[], fn: (ins: tf.Tensor[], mode: StepMode) => tf.Tensor, owned: tf.Tensor[] = []): Step {
  return { name, kind, inputs, apply: fn, dispose: () => owned.forEach((t) => t.dispose()) };
}

/** Activation layers, as steps a preceding convolution may absorb; null for other kinds. */
function activationStep(kind: string, name: string, cfg: Cfg, inputs: string[]): Step | null {
  switch (kind) {
    case 'Activation': {
      const a = String(cfg.activation);
      const act = activation(a, cfg);
      return { ...simpleStep(name, kind, inputs, ([x], m) => act(x!, m)), fusableAct: a === 'relu' || a === 'relu6' ? a : undefined };
    }
    case 'ReLU': {
      const max = cfg.max_value ?? cfg.maxValue;
      if (Number(cfg.negative_slope ?? 0) !== 0 || Number(cfg.threshold ?? 0) !== 0) throw new Error(`${name}: ReLU with slope/threshold is not supported`);
      const act = max === 6 ? activation('relu6') : max == null ? activation('relu') : (x: tf.Tensor) => tf.clipByValue(x, 0, Number(max));
      return { ...simpleStep(name, kind, inputs, ([x], m) => act(x!, m)), fusableAct: max === 6 ? 'relu6' : max == null ? 'relu' : undefined };
    }
    case 'LeakyReLU':
      return simpleStep(name, kind, inputs, ([x]) => tf.leakyRelu(x!, Number(cfg.alpha ?? 0.3)));
    case 'Softmax':
      return simpleStep(name, kind, inputs, ([x]) => tf.softmax(x!, -1));
    default:
      return null;
  }
}

/** Padding, pooling and reshaping layers; null for other kinds. */
function spatialStep(kind: string, name: string, cfg: Cfg, inputs: string[]): Step | null {
  const keepBatch = (x: tf.Tensor, shape: number[]) => tf.reshape(x, [x.shape[0]!, ...shape]);
  switch (kind) {
    case 'ZeroPadding2D': {
      const p = cfg.padding;
      const [[t, b], [l, r]] =
        typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray((p as unknown[])[0]) ? (p as [[number, number], [number, number]]) : [[(p as number[])[0]!, (p as number[])[0]!], [(p as number[])[1]!, (p as number[])[1]!]];
      return simpleStep(name, kind, inputs, ([x]) => tf.pad(x!, [[0, 0], [t, b], [l, r], [0, 0]]));
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const size = pair(cfg.pool_size ?? cfg.poolSize, 2);
      const strides = pair(cfg.strides ?? size, size[0]);
      const pad = String(cfg.padding ?? 'valid') as 'same' | 'valid';
      return simpleStep(name, kind, inputs, ([x]) =>
        kind === 'MaxPooling2D' ? tf.maxPool(x as tf.Tensor4D, size, strides, pad) : tf.avgPool(x as tf.Tensor4D, size, strides, pad),
      );
    }
    case 'GlobalAveragePooling2D':
      return simpleStep(name, kind, inputs, ([x]) => tf.mean(x!, [1, 2], Boolean(cfg.keepdims)));
    case 'GlobalMaxPooling2D':
      return simpleStep(name, kind, inputs, ([x]) => tf.max(x!, [1, 2], Boolean(cfg.keepdims)));
    case 'Reshape': {
      const target = (cfg.target_shape ?? cfg.targetShape) as number[];
      return simpleStep(name, kind, inputs, ([x]) => keepBatch(x!, target));
    }
    case 'Flatten':
      return simpleStep(name, kind, inputs, ([x]) => keepBatch(x!, [-1]));
    default:
      return null;
  }
}

/** Layers merging several inputs; null for other kinds. */
function mergeStep(kind: string, name: string, cfg: Cfg, inputs: string[]): Step | null {
  switch (kind) {
    case 'Add':
      return simpleStep(name, kind, inputs, (xs) => tf.addN(xs));
    case 'Multiply':
      return simpleStep(name, kind, inputs, (xs) => xs.slice(1).reduce((a, b) => tf.mul(a, b), xs[0]!));
    case 'Average':
      return simpleStep(name, kind, inputs, (xs) => tf.div(tf.addN(xs), xs.length));
    case 'Maximum':
      return simpleStep(name, kind, inputs, (xs) => xs.slice(1).reduce((a, b) => tf.maximum(a, b), xs[0]!));
    case 'Concatenate':
      return simpleStep(name, kind, inputs, (xs) => tf.concat(xs, Number(cfg.axis ?? -1)));
    default:
      return null;
  }
}

/** A Dense layer on the last axis, with its own copies of the weights. */
function denseStep(layer: tf.layers.Layer, cfg: Cfg, inputs: string[]): Step {
  const w = weightsByRole(layer);
  const kernel = tf.clone(w.get('kernel')!) as tf.Tensor2D;
  const bias = w.get('bias') ? tf.clone(w.get('bias')!) : null;
  const act = activation(String(cfg.activation ?? 'linear'), cfg);
  const apply = ([x]: tf.Tensor[], m: StepMode) => {
    const shape = x!.shape;
    const flat = tf.reshape(x!, [-1, shape[shape.length - 1]!]) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(flat, kernel);
    if (bias) y = tf.add(y, bias);
    return act(tf.reshape(y, [...shape.slice(0, -1), kernel.shape[1]]), m);
  };
  return simpleStep(layer.name, 'Dense', inputs, apply, bias ? [kernel, bias] : [kernel]);
}

function layerStep(layer: tf.layers.Layer, inputs: string[]): Step {
  const kind = layer.getClassName();
  const cfg = layer.getConfig() as Cfg;
  const name = layer.name;
  if (kind === 'BatchNormalization') {
    const { scale, shift } = bnAffine(layer);
    return simpleStep(name, kind, inputs, ([x]) => tf.add(tf.mul(x!, scale), shift), [scale, shift]);
  }
  if (kind === 'Dense') return denseStep(layer, cfg, inputs);
  const step = activationStep(kind, name, cfg, inputs) ?? spatialStep(kind, name, cfg, inputs) ?? mergeStep(kind, name, cfg, inputs);
  if (step) return step;
  if (identityKinds.has(kind)) return simpleStep(name, kind, inputs, ([x]) => x!);
  throw new Error(`${name}: layer type ${kind} is not supported by the plain-op rebuild`);
}

/** Walks the model's layers in topological order and compiles them to plain-op steps. */
export function compileModel(model: tf.LayersModel, inputSize: number): CompiledModel {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('only single-input, single-output models are supported');
  const inputName = model.inputs[0]!.sourceLayer.name;
  const outputName = model.outputs[0]!.sourceLayer.name;
  const layers = model.layers.filter((l) => l.name !== inputName);
  const inbound = new Map(layers.map((l) => [l.name, inboundNames(l)] as const));
  const consumers = new Map<string, number>();
  for (const ins of inbound.values()) for (const n of ins) consumers.set(n, (consumers.get(n) ?? 0) + 1);
  const byName = new Map(layers.map((l) => [l.name, l] as const));
  const foldedInto = new Map<string, string>(); // conv name → BN name
  for (const l of layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    const [src] = inbound.get(l.name)!;
    const conv = src ? byName.get(src) : undefined;
    const convCfg = conv?.getConfig() as Cfg | undefined;
    if (conv && ['Conv2D', 'DepthwiseConv2D'].includes(conv.getClassName()) && consumers.get(conv.name) === 1 && String(convCfg?.activation ?? 'linear') === 'linear')
      foldedInto.set(conv.name, l.name);
  }
  const folded = new Set(foldedInto.values());
  const rename = (n: string) => foldedInto.get(n) ?? n;
  const steps: Step[] = [];
  const info: LayerInfo[] = [{ name: inputName, kind: 'InputLayer', shape: [inputSize, inputSize, 3] }];
  let anySize = true;
  let spatialSeen = true;
  for (const l of layers) {
    if (folded.has(l.name)) continue;
    const kind = l.getClassName();
    const ins = inbound.get(l.name)!.map(rename);
    const bnName = foldedInto.get(l.name);
    const step = ['Conv2D', 'DepthwiseConv2D'].includes(kind) ? convStep(l, ins, bnName ? byName.get(bnName)! : null) : layerStep(l, ins);
    steps.push(step);
    if (kind.startsWith('Global')) spatialSeen = false;
    if ((kind === 'Flatten' || kind === 'Dense') && spatialSeen) anySize = false;
    const src = bnName ? byName.get(bnName)! : l;
    const shape = (src.outputShape as (number | null)[]).slice(1).map((d) => d ?? -1);
    info.push({ name: step.name, kind, shape });
  }
  const outName = rename(outputName);
  // 'logits' is the input of the final softmax, found by walking back through shape-only layers.
  let cur = outName;
  let logitsOf: string | null = null;
  for (let guard = 0; guard < layers.length; guard++) {
    const l = byName.get(cur)!;
    const kind = l.getClassName();
    const act = String((l.getConfig() as Cfg).activation ?? '');
    if (kind === 'Softmax' || (kind === 'Activation' && act === 'softmax')) {
      logitsOf = inbound.get(cur)![0]!;
      break;
    }
    if (!['Reshape', 'Flatten', ...identityKinds].includes(kind)) break;
    cur = rename(inbound.get(cur)![0]!);
  }
  const lastInfo = info[info.length - 1]!;
  const numClasses = lastInfo.shape.reduce((a, b) => a * b, 1);
  const flat = (x: tf.Tensor) => tf.reshape(x, [x.shape[0]!, -1]);
  steps.push(simpleStep('logits', 'Logits', [logitsOf ? rename(logitsOf) : outName], ([x]) => flat(x!)));
  steps.push(simpleStep('probs', 'Probs', [outName], ([x]) => flat(x!)));
  info.push({ name: 'logits', kind: 'Logits', shape: [numClasses] }, { name: 'probs', kind: 'Probs', shape: [numClasses] });
  return { steps, inputName, layers: info, numClasses, anySize };
}
