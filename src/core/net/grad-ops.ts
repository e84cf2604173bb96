/**
 * Convolutions and activations whose gradients are written in forward ops only, so that
 * input-gradients work on backends that lack the backprop kernels (tfjs-backend-wasm 4.22 has no
 * DepthwiseConv2dNativeBackpropInput), plus the guided-backprop ReLUs used by guided Grad-CAM.
 */
import * as tf from '@tensorflow/tfjs';

/** Explicit TF padding of one spatial axis: [before, after]. */
export type AxisPad = [number, number];

/** How a convolution pads: TF 'same' / 'valid' semantics resolved to explicit numbers per input size. */
export function tfPadding(size: number, k: number, stride: number, dilation: number, mode: 'same' | 'valid'): { out: number; pad: AxisPad } {
  const ke = (k - 1) * dilation + 1;
  if (mode === 'valid') return { out: Math.floor((size - ke) / stride) + 1, pad: [0, 0] };
  const out = Math.ceil(size / stride);
  // TF puts the odd extra pixel at the bottom/right: this is what PyTorch ports must copy.
  const total = Math.max((out - 1) * stride + ke - size, 0);
  return { out, pad: [Math.floor(total / 2), total - Math.floor(total / 2)] };
}

/** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let y = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(-top, 0), b = Math.max(-bottom, 0), l = Math.max(-left, 0), r = Math.max(-right, 0);
    y = tf.slice(y, [0, t, l, 0], [n, h - t - b, w - l - r, c]);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    y = tf.pad(y, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  }
  return y;
}

/** Inserts stride-1 zeros between the spatial samples of dy (the transpose of a strided sampling). */
export function dilateSpatial(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const six = tf.reshape(dy, [n, h, 1, w, 1, c]);
  const padded = tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  const flat = tf.reshape(padded, [n, h * sh, w * sw, c]) as tf.Tensor4D;
  return tf.slice(flat, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
}

/**
 * Lays dy out so that a stride-1 'valid' correlation with the 180°-rotated kernel yields dx:
 * dilate by the stride, then pad by (k-1-padBefore) in front and whatever makes the length
 * H+k-1 behind (zeros where the forward pass never read the input).
 */
function spreadDy(dy: tf.Tensor4D, inH: number, inW: number, kh: number, kw: number, s: [number, number], ph: AxisPad, pw: AxisPad): tf.Tensor4D {
  const d = dilateSpatial(dy, s[0], s[1]);
  const [, dh, dw] = d.shape;
  return padOrCrop(d, kh - 1 - ph[0], inH + ph[0] - dh, kw - 1 - pw[0], inW + pw[0] - dw);
}

/** Zeros inserted BEFORE every sample (s-1 of them): one 6-D pad, no slice (a third of spreadDy's copies). */
function dilateBefore(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const padded = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [sh - 1, 0], [0, 0], [sw - 1, 0], [0, 0]]);
  return tf.reshape(padded, [n, h * sh, w * sw, c]) as tf.Tensor4D;
}

/** Geometry of a convolution's input-gradient, fixed per input size. */
export interface ConvGeometry {
  inH: number;
  inW: number;
  strides: [number, number];
  padding: 'same' | 'valid';
  depthwise: boolean;
}

/**
 * dx of a convolution (no dilation) from dy, with forward convolutions only: dy dilated by the
 * stride, correlated with `wBack` (backwardKernel). The dilation puts its zeros in front of each
 * sample and the convolution pads the rest itself (explicit padding), which avoids spreadDy's
 * slice and second pad whenever the leftover padding is not negative (MobileNet: always).
 */
export function convInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, wBack: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [kh, kw, cin, m] = w.shape;
  const { inH, inW, strides: s } = g;
  const ph = tfPadding(inH, kh, s[0], 1, g.padding).pad;
  const pw = tfPadding(inW, kw, s[1], 1, g.padding).pad;
  if (!g.depthwise && isPolyphase(wBack, s, cin)) return polyphaseInputGrad(dy, wBack, s[0], inH, inW, ph[0], pw[0]);
  const [, h, wd] = dy.shape;
  const top = kh - 1 - ph[0] - (s[0] - 1);
  const left = kw - 1 - pw[0] - (s[1] - 1);
  const bottom = inH + kh - 1 - top - h * s[0];
  const right = inW + kw - 1 - left - wd * s[1];
  const direct = top >= 0 && left >= 0 && bottom >= 0 && right >= 0;
  const spread = direct ? dilateBefore(dy, s[0], s[1]) : spreadDy(dy, inH, inW, kh, kw, s, ph, pw);
  const pad: 'valid' | [[number, number], [number, number], [number, number], [number, number]] = direct
    ? [[0, 0], [top, bottom], [left, right], [0, 0]]
    : 'valid';
  if (!g.depthwise) return tf.conv2d(spread, wBack, 1, pad);
  if (m === 1) return tf.depthwiseConv2d(spread, wBack, 1, pad);
  // Multiplier > 1: output channel c*m+j came from input c; sum the m contributions back.
  const [n, sh, sw] = spread.shape;
  const grouped = tf.reshape(tf.transpose(tf.reshape(spread, [n, sh, sw, cin, m]), [0, 1, 2, 4, 3]), [n, sh, sw, m * cin]);
  const perJ = tf.split(grouped as tf.Tensor4D, m, 3).map((gj, j) =>
    tf.depthwiseConv2d(gj as tf.Tensor4D, tf.reshape(tf.slice(wBack, [0, 0, 0, j], [kh, kw, cin, 1]), [kh, kw, cin, 1]) as tf.Tensor4D, 1, pad),
  );
  return tf.addN(perJ);
}

/**
 * Polyphase form of a stride-s convolution's input-gradient kernel, [T, T', cout, s·s·cin] with
 * T = ceil(kh/s): output channel (ay, ax, ci) is the phase dx[q·s + ay − pad, q'·s + ax − pad'].
 * Tap u of phase a is the forward tap a + (T − 1 − u)·s (zero past the kernel). Why: the zero
 * spread of dy makes the backward conv do s² times the work; MobileNet's first layer (3x3, stride
 * 2, 3 → 24 channels) took 90 of ~780 ms of kernel time of a 512 dream step that way.
 */
function polyphaseKernel(w: tf.Tensor4D, s: number): tf.Tensor4D {
  const [kh, kw, cin, cout] = w.shape;
  const th = Math.ceil(kh / s);
  const tw = Math.ceil(kw / s);
  const src = w.dataSync();
  const out = new Float32Array(th * tw * cout * s * s * cin);
  for (let uy = 0; uy < th; uy++) {
    for (let ux = 0; ux < tw; ux++) {
      for (let ay = 0; ay < s; ay++) {
        for (let ax = 0; ax < s; ax++) {
          const ky = ay + (th - 1 - uy) * s;
          const kx = ax + (tw - 1 - ux) * s;
          if (ky >= kh || kx >= kw) continue;
          for (let co = 0; co < cout; co++) {
            for (let ci = 0; ci < cin; ci++) {
              out[(((uy * tw + ux) * cout + co) * s * s + ay * s + ax) * cin + ci] = src[((ky * kw + kx) * cin + ci) * cout + co]!;
            }
          }
        }
      }
    }
  }
  return tf.tensor4d(out, [th, tw, cout, s * s * cin]);
}

function isPolyphase(wBack: tf.Tensor4D, s: [number, number], cin: number): boolean {
  return s[0] === s[1] && s[0] > 1 && wBack.shape[3] === s[0] * s[0] * cin;
}

/**
 * dx of a regular stride-s convolution from its polyphase kernel: one stride-1 conv of dy gives
 * every phase as channels (no zeros multiplied), a transpose interleaves them, and the TF
 * padding in front is cropped off.
 */
function polyphaseInputGrad(dy: tf.Tensor4D, poly: tf.Tensor4D, s: number, inH: number, inW: number, top: number, left: number): tf.Tensor4D {
  const [th, tw, , sc] = poly.shape;
  const [n, h, wd] = dy.shape;
  // Phase rows q cover dx rows q·s + a − top for a < s: enough of them to reach row inH − 1.
  const qh = Math.ceil((inH + top) / s);
  const qw = Math.ceil((inW + left) / s);
  const phases = tf.conv2d(dy, poly, 1, [[0, 0], [th - 1, qh - h], [tw - 1, qw - wd], [0, 0]]);
  // Interleaving by reshape/transpose: tfjs-wasm's DepthToSpace took 70 ms at 512x512x3.
  const c = sc / (s * s);
  const dx = tf.reshape(tf.transpose(tf.reshape(phases, [n * qh, qw, s, s * c]), [0, 2, 1, 3]), [n, qh * s, qw * s, c]) as tf.Tensor4D;
  if (top === 0 && left === 0 && qh * s === inH && qw * s === inW) return dx;
  return tf.slice(dx, [0, top, left, 0], [n, inH, inW, c]);
}

/** True when the live backend has a kernel of this name. */
export function backendHas(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/**
 * The kernel a backward pass convolves with: rotated 180° (and in/out swapped for conv2d), or the
 * polyphase kernel of a regular conv with equal strides > 1. Precompute it once.
 */
export function backwardKernel(w: tf.Tensor4D, depthwise: boolean, strides: [number, number] = [1, 1]): tf.Tensor4D {
  if (!depthwise && strides[0] === strides[1] && strides[0] > 1) return polyphaseKernel(w, strides[0]);
  return tf.tidy(() => {
    const [kh, kw] = w.shape;
    // wasm's Reverse is slow: skip it for 1×1 kernels, where it is the identity.
    const rot = kh === 1 && kw === 1 ? w : tf.reverse(w, [0, 1]);
    return (depthwise ? tf.clone(rot) : tf.transpose(rot, [0, 1, 3, 2])) as tf.Tensor4D;
  });
}

/**
 * Depthwise convolution (channel multiplier m) whose input-gradient uses depthwise convolutions
 * only; `wBack` is `backwardKernel(w, true)`, computed here when not given.
 */
export function depthwiseConvFwdGrad(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], padding: 'same' | 'valid', wBack?: tf.Tensor4D): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x4 = args[0] as tf.Tensor4D;
    const [, inH, inW] = x4.shape;
    return {
      value: tf.depthwiseConv2d(x4, w, strides, padding),
      // dx needs dy, the kernel and x's shape only: nothing is saved (saving clones on wasm).
      gradFunc: (dy: tf.Tensor) => convInputGrad(dy as tf.Tensor4D, w, wBack ?? backwardKernel(w, true), { inH, inW, strides, padding, depthwise: true }),
    };
  });
  return f(x) as tf.Tensor4D;
}

/**
 * Regular convolution whose input-gradient is a stride-1 convolution with the rotated, transposed
 * kernel; `wBack` is `backwardKernel(w, false)`, computed here when not given.
 */
export function conv2dFwdGrad(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], padding: 'same' | 'valid', wBack?: tf.Tensor4D): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x4 = args[0] as tf.Tensor4D;
    const [, inH, inW] = x4.shape;
    return {
      value: tf.conv2d(x4, w, strides, padding),
      gradFunc: (dy: tf.Tensor) => convInputGrad(dy as tf.Tensor4D, w, wBack ?? backwardKernel(w, false, strides), { inH, inW, strides, padding, depthwise: false }),
    };
  });
  return f(x) as tf.Tensor4D;
}

/** Activations a convolution kernel can apply itself (XNNPACK clamps in the same pass). */
export type FusedAct = 'linear' | 'relu' | 'relu6';

/** True while tfjs records a gradient tape here (inside tf.grad, outside a kernel). */
export function tapeActive(): boolean {
  const st = tf.engine().state;
  return st.gradientDepth > 0 && st.kernelDepth === 0;
}

/**
 * conv (+bias, +activation) as ONE fused kernel, no gradient recorded. The kernel is called
 * directly: tf.fused.* falls back to separate conv/add/activation ops whenever a gradient tape is
 * open anywhere, even inside a customGrad forward, where nothing is recorded.
 */
export function fusedConv(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D | undefined, strides: [number, number], padding: 'same' | 'valid', depthwise: boolean, act: FusedAct, dilations: [number, number] = [1, 1]): tf.Tensor4D {
  const inputs: tf.NamedTensorMap = bias ? { x, filter: w, bias } : { x, filter: w };
  const attrs = { strides, pad: padding, dataFormat: 'NHWC', dilations, activation: act };
  return tf.engine().runKernel(depthwise ? 'FusedDepthwiseConv2D' : 'FusedConv2D', inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * conv + bias + activation as one differentiable block: the forward is one fused kernel, the
 * backward masks dy where the activation was flat (y = 0, or y = 6 for relu6) in one step/mul
 * pair, then runs convInputGrad. Only y is saved. Gradient w.r.t. x only (weights are constants).
 */
export function fusedConvBlock(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D | undefined, wBack: tf.Tensor4D, strides: [number, number], padding: 'same' | 'valid', depthwise: boolean, act: FusedAct): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const [, inH, inW] = xi.shape;
    const y = fusedConv(xi, w, bias, strides, padding, depthwise, act);
    if (act !== 'linear') save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const ys = saved[0]!;
        // relu6 passes where 0 < y < 6, i.e. where y(6 - y) > 0: one step instead of tfjs's lessEqual/cast/step/mul chain.
        const masked = act === 'linear' ? dy : tf.mul(dy, tf.step(act === 'relu' ? ys : tf.mul(ys, tf.sub(6, ys))));
        return convInputGrad(masked as tf.Tensor4D, w, wBack, { inH, inW, strides, padding, depthwise });
      },
    };
  });
  return f(x) as tf.Tensor4D;
}

/** ReLU (optionally capped) whose backward pass is guided: only positive inputs AND positive gradients pass. */
export function guidedRelu(x: tf.Tensor, cap: number | null): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([xi]);
    return {
      value: cap === null ? tf.relu(xi) : tf.clipByValue(xi, 0, cap),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const xs = saved[0] as tf.Tensor;
        let pass = tf.mul(tf.step(xs), tf.step(dy));
        if (cap !== null) pass = tf.mul(pass, tf.step(tf.sub(cap, xs)));
        return tf.mul(dy, pass);
      },
    };
  });
  return f(x);
}
