/**
 * PlainNet: a tfjs LayersModel rebuilt from its weights as plain, differentiable tf ops.
 *
 * Why: tfjs-layers convolutions run `tf.fused.conv2d`, whose gradient always computes the
 * filter gradient too (~20x slower input-gradients, TECH-NOTES.md), and the wasm backend lacks
 * some backprop kernels. The rebuild folds BatchNormalization into the preceding convolution,
 * uses `tf.conv2d`/`tf.depthwiseConv2d` with forward-op gradients where the backend needs them,
 * and exposes every layer's activation by its Keras name.
 *
 * STABLE API (Grad-CAM and Deep Dream build on it): `loadLayersModel`, `buildPlainNet`,
 * `PlainNet`, `LayerInfo`, `PlainNetOptions`, `ForwardOptions`, `InputRange`.
 */
import * as tf from '@tensorflow/tfjs';
import type { RgbaImage } from '../image';
import type { LayerInfo } from './layer-info';
import { compileModel, type Step } from './plain-layers';

export type { LayerInfo } from './layer-info';

/** Pixel range the network expects: '-1..1' is x/127.5-1 (Keras MobileNet), '0..1' is x/255. */
export type InputRange = '-1..1' | '0..1';

/** Options of `buildPlainNet`, with defaults in `defaultPlainNetOptions`. */
export interface PlainNetOptions {
  /** Side of the square input the model was trained on. */
  inputSize: number;
  /** Pixel range the model expects. */
  range: InputRange;
  /** Class labels, index = class id; empty when unknown. */
  labels: string[];
  /** Model id used by caches and exports. */
  id: string;
}

/** Defaults: MobileNet v1 conventions. */
export const defaultPlainNetOptions: PlainNetOptions = { inputSize: 224, range: '-1..1', labels: [], id: 'model' };

/** Per-call options of `PlainNet.forward`. */
export interface ForwardOptions {
  /** Start from this layer's activation instead of the image input (x is then that activation). */
  from?: string;
  /** Guided backprop: ReLUs pass only positive gradients (guided Grad-CAM). */
  guided?: boolean;
  /**
   * Gradient strategy for convolutions: 'auto' uses forward-op gradients where the live backend
   * lacks a backprop kernel or has a slow one (wasm: all convolutions); 'forward-ops' always
   * does; 'native' never does (tfjs's own backprop kernels).
   */
  grads?: 'auto' | 'forward-ops' | 'native';
}

/** The rebuilt network. All tensors it returns belong to the caller (dispose or tidy them). */
export interface PlainNet {
  /** Model id given at build time. */
  readonly id: string;
  /** Side of the square training input. */
  readonly inputSize: number;
  /** Pixel range of the input. */
  readonly range: InputRange;
  /** Class labels (may be empty). */
  readonly labels: string[];
  /** Number of classes of the 'logits'/'probs' outputs. */
  readonly numClasses: number;
  /** Every addressable activation, input to output order. */
  readonly layers: LayerInfo[];
  /** Last spatial (H,W > 1) activation: the default Grad-CAM target (MobileNet: conv_pw_13_relu). */
  readonly lastConvLayer: string;
  /** Name of the input (the activation `forward` starts from by default). */
  readonly inputName: string;
  /** True when any input size works (global pooling, no Flatten/Dense on spatial maps). */
  readonly anySize: boolean;
  /**
   * Differentiable forward pass with plain ops. `x` is [N,H,W,3] in the model range (or the
   * activation of `opts.from`). `outputs` are layer names, or 'logits' ([N,classes], before the
   * final softmax) and 'probs' ([N,classes]). Returns tensors in the order asked. Only the layers
   * needed for the requested outputs run.
   */
  forward(x: tf.Tensor4D, outputs: string[], opts?: ForwardOptions): tf.Tensor[];
  /** RGB(A) 8-bit pixels → [1,H,W,3] float in the model range (no resizing: size it first). */
  preprocess(image: { width: number; height: number; data: Uint8ClampedArray | Uint8Array }): tf.Tensor4D;
  /** Float RGB in 0..255, HxWx3 interleaved → [1,H,W,3] in the model range. */
  fromRgbFloat(rgb: Float32Array, width: number, height: number): tf.Tensor4D;
  /** Inverse of `preprocess` for one image of the batch: model range → 8-bit RGBA (clamped). */
  toRgba(x: tf.Tensor4D): Promise<RgbaImage>;
  /** Model range → 0..255 as a tensor (kept differentiable; Deep Dream uses it). */
  toPixels(x: tf.Tensor): tf.Tensor;
  /** Pixels 0..255 → model range as a tensor. */
  fromPixels(x: tf.Tensor): tf.Tensor;
  /** Releases the folded weights. */
  dispose(): void;
  // Weights live on the backend that was active at build time: build one net per backend
  // (mixing backends in one graph breaks tfjs-wasm: "detached ArrayBuffer").
}

/**
 * Loads a tfjs LayersModel from an IOHandler (Node: see src/cli/model-files.ts) or a URL
 * (browser/worker: `…/model.json`, shards beside it).
 */
export async function loadLayersModel(source: tf.io.IOHandler | string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(source);
}

/** Builds a PlainNet from a loaded LayersModel. The LayersModel may be disposed afterwards. */
export function buildPlainNet(model: tf.LayersModel, opts: Partial<PlainNetOptions> = {}): PlainNet {
  const o = { ...defaultPlainNetOptions, ...opts };
  const compiled = compileModel(model, o.inputSize);
  return new PlainNetImpl(o, compiled.steps, compiled.inputName, compiled.layers, compiled.numClasses, compiled.anySize);
}

class PlainNetImpl implements PlainNet {
  readonly id: string;
  readonly inputSize: number;
  readonly range: InputRange;
  readonly labels: string[];
  readonly lastConvLayer: string;
  private readonly index = new Map<string, number>();
  /** Step i whose output only step i+1 (an activation) reads: the two can run as one fused kernel. */
  private readonly fusesNext: boolean[];

  constructor(
    o: PlainNetOptions,
    private readonly steps: Step[],
    readonly inputName: string,
    readonly layers: LayerInfo[],
    readonly numClasses: number,
    readonly anySize: boolean,
  ) {
    this.id = o.id;
    this.inputSize = o.inputSize;
    this.range = o.range;
    this.labels = o.labels;
    steps.forEach((s, i) => this.index.set(s.name, i));
    const readers = new Map<string, number>();
    for (const s of steps) for (const n of s.inputs) readers.set(n, (readers.get(n) ?? 0) + 1);
    this.fusesNext = steps.map((s, i) => {
      const next = steps[i + 1];
      return !!s.applyFused && !!next?.fusableAct && next.inputs.length === 1 && next.inputs[0] === s.name && readers.get(s.name) === 1;
    });
    const spatial = layers.filter((l) => l.shape.length === 3 && l.shape[0]! > 1 && l.shape[1]! > 1 && l.name !== inputName);
    this.lastConvLayer = spatial.length ? spatial[spatial.length - 1]!.name : inputName;
  }

  forward(x: tf.Tensor4D, outputs: string[], opts: ForwardOptions = {}): tf.Tensor[] {
    const from = opts.from ?? this.inputName;
    const startIdx = from === this.inputName ? -1 : this.index.get(from);
    if (startIdx === undefined) throw new Error(`unknown layer “${from}”`);
    const targets = outputs;
    let last = -1;
    for (const t of targets) {
      const i = t === this.inputName ? -1 : this.index.get(t);
      if (i === undefined) throw new Error(`unknown layer “${t}” (not in this model, or a conv folded into its BatchNormalization)`);
      if (i >= 0 && i <= startIdx) throw new Error(`layer “${t}” comes before “${from}”`);
      last = Math.max(last, i);
    }
    const mode = { guided: opts.guided === true, grads: opts.grads ?? 'auto' };
    // tidy releases the intermediates; it is safe inside tf.grad (the tape keeps what it saved).
    return tf.tidy(() => {
      const env = new Map<string, tf.Tensor>([[from, x]]);
      for (let i = startIdx + 1; i <= last; i++) {
        const s = this.steps[i]!;
        const ins = s.inputs.map((n) => {
          const t = env.get(n);
          if (!t) throw new Error(`layer “${s.name}” needs “${n}”, which is not computed from “${from}”`);
          return t;
        });
        const next = this.steps[i + 1];
        if (this.fusesNext[i] && i + 1 <= last && !targets.includes(s.name)) {
          const y = s.applyFused!(ins, next!.fusableAct!, mode);
          if (y) {
            env.set(next!.name, y);
            i++;
            continue;
          }
        }
        env.set(s.name, s.apply(ins, mode));
      }
      return targets.map((t) => env.get(t)!);
    });
  }

  preprocess(image: { width: number; height: number; data: Uint8ClampedArray | Uint8Array }): tf.Tensor4D {
    const { width, height, data } = image;
    const ch = data.length / (width * height);
    if (ch !== 3 && ch !== 4) throw new Error(`expected RGB or RGBA pixels, got ${ch} channels`);
    const rgb = new Float32Array(width * height * 3);
    for (let i = 0, j = 0; i < width * height; i++, j += ch) {
      rgb[i * 3] = data[j]!;
      rgb[i * 3 + 1] = data[j + 1]!;
      rgb[i * 3 + 2] = data[j + 2]!;
    }
    return this.fromRgbFloat(rgb, width, height);
  }

  fromRgbFloat(rgb: Float32Array, width: number, height: number): tf.Tensor4D {
    const scaled = new Float32Array(rgb.length);
    const [a, b] = this.range === '-1..1' ? [1 / 127.5, -1] : [1 / 255, 0];
    for (let i = 0; i < rgb.length; i++) scaled[i] = rgb[i]! * a + b;
    return tf.tensor4d(scaled, [1, height, width, 3]);
  }

  toPixels(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (this.range === '-1..1' ? tf.mul(tf.add(x, 1), 127.5) : tf.mul(x, 255)));
  }

  fromPixels(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (this.range === '-1..1' ? tf.sub(tf.div(x, 127.5), 1) : tf.div(x, 255)));
  }

  async toRgba(x: tf.Tensor4D): Promise<RgbaImage> {
    const [, height, width] = x.shape;
    const px = tf.tidy(() => tf.slice(this.toPixels(x) as tf.Tensor4D, [0, 0, 0, 0], [1, height, width, 3]));
    const v = await px.data();
    px.dispose();
    const out = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      out[i * 4] = v[i * 3]!;
      out[i * 4 + 1] = v[i * 3 + 1]!;
      out[i * 4 + 2] = v[i * 3 + 2]!;
      out[i * 4 + 3] = 255;
    }
    return { width, height, data: out };
  }

  dispose(): void {
    for (const s of this.steps) s.dispose();
  }
}
