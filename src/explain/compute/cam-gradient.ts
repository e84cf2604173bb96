/**
 * The gradient (and activation-only) CAMs, as jacobgil/pytorch-grad-cam defines them: each gives the
 * "weighted activations" [h,w,k]; the map is their channel sum, or with eigen smoothing their first
 * principal component (Eigen-CAM and Eigen-Grad-CAM always), then ReLU.
 */
import * as tf from '@tensorflow/tfjs';
import type { PlainNet } from '../../core/net/plain-net';
import { layerActivation, layerGrad } from './cam-grads';
import { firstPrincipalProjection } from './eigen';
import type { CamMethod } from './explain-options';

/** The methods this file computes. */
export type GradientMethod = Exclude<CamMethod, 'guided' | 'scorecam' | 'ablationcam'>;

/** What the gradient CAMs need. */
export interface GradientCamOptions {
  method: GradientMethod;
  layer: string;
  classIndex: number;
  /** Grad-CAM++ alpha denominator term; 0 swaps zero denominators for 1 instead. */
  eps: number;
  eigenSmooth: boolean;
  act?: tf.Tensor4D;
}

/** Grad-CAM++ channel weights (Chattopadhay et al.), pytorch-grad-cam's exp-score closed form. */
function gradCamPlusPlusWeights(act: tf.Tensor4D, grad: tf.Tensor4D, eps: number): tf.Tensor {
  const g2 = tf.square(grad);
  const g3 = tf.mul(g2, grad);
  const sumA = tf.sum(act, [1, 2], true);
  const denom = tf.add(tf.mul(g2, 2), tf.mul(sumA, g3));
  const safe = eps > 0 ? tf.add(denom, eps) : tf.where(tf.notEqual(denom, 0), denom, tf.onesLike(denom));
  const alpha = tf.mul(tf.div(g2, safe), tf.cast(tf.notEqual(grad, 0), 'float32'));
  return tf.sum(tf.mul(tf.relu(grad), alpha), [1, 2], true);
}

/** The weighted activations [1,h,w,k] of a method. */
function weighted(method: GradientMethod, act: tf.Tensor4D, grad: tf.Tensor4D | null, eps: number): tf.Tensor4D {
  if (method === 'eigencam' || !grad) return act;
  switch (method) {
    case 'gradcam': // Selvaraju et al.: channel weight = spatial mean of the gradient
      return tf.mul(act, tf.mean(grad, [1, 2], true));
    case 'gradcam++':
      return tf.mul(act, gradCamPlusPlusWeights(act, grad, eps));
    case 'xgradcam': // Fu et al.: Σ(g·A) / ΣA per channel
      return tf.mul(act, tf.div(tf.sum(tf.mul(grad, act), [1, 2], true), tf.add(tf.sum(act, [1, 2], true), 1e-7)));
    case 'layercam': // Jiang et al.: ReLU(g)·A element-wise
      return tf.mul(tf.relu(grad), act);
    default: // 'hirescam' (Draelos & Carin) and 'eigengradcam': g·A element-wise
      return tf.mul(grad, act);
  }
}

/** One gradient CAM grid [h,w] (ReLU applied) for a model input or its given target-layer activation. */
export async function gradientCam(net: PlainNet, x: tf.Tensor4D | null, o: GradientCamOptions): Promise<tf.Tensor2D> {
  const eigen = o.eigenSmooth || o.method === 'eigencam' || o.method === 'eigengradcam';
  const { act, grad } = o.method === 'eigencam' ? { act: layerActivation(net, x, o.layer, o.act), grad: null } : layerGrad(net, x, o.layer, o.classIndex, o.act);
  const [, h, w, k] = act.shape;
  try {
    const wa = tf.tidy(() => weighted(o.method, act, grad, o.eps).clone());
    if (!eigen) {
      const cam = tf.tidy(() => tf.relu(tf.reshape(tf.sum(wa, 3), [h, w])) as tf.Tensor2D);
      wa.dispose();
      return cam;
    }
    const data = await wa.data();
    wa.dispose();
    const p = firstPrincipalProjection(data, h * w, k);
    return tf.tidy(() => tf.relu(tf.tensor2d(p, [h, w])) as tf.Tensor2D);
  } finally {
    tf.dispose(grad ? [act, grad] : [act]);
  }
}
