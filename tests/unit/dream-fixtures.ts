/** Shared setup of the dream tests: wasm backend, real photos cropped small, real and tiny nets. */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import type { DreamNet } from '../../src/dream/compute/objective';
import { shareIdentityOnWasm } from '../../src/core/net/wasm-identity';
import type { RgbaImage } from '../../src/core/image';

/** Repository root (tests run from it). */
export const repoRoot = resolve(__dirname, '..', '..');
/** The shared data folder beside the repository. */
export const sharedDir = resolve(repoRoot, '..', 'shared');
/** The real MobileNet v1 0.75 model folder. */
export const modelDir = resolve(sharedDir, 'models', 'mobilenet_v1_0.75_224');

/** Starts the wasm backend (the CLI's default, Identity sharing memory as in the app) and fails loudly if it cannot. */
export async function useWasm(): Promise<void> {
  shareIdentityOnWasm();
  if (tf.getBackend() === 'wasm') return;
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not start');
  await tf.ready();
}

/** A shared photo resized (cover-cropped) to w x h as 8-bit RGBA. */
export async function photo(name: string, w: number, h: number): Promise<RgbaImage> {
  const { data, info } = await sharp(resolve(sharedDir, 'photos', name))
    .resize(w, h, { fit: 'cover' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** A two-layer conv net from plain tf ops with seeded random weights (wasm has all its gradients). */
export function tinyNet(): DreamNet & { dispose(): void } {
  const k1 = tf.randomNormal([3, 3, 3, 8], 0, 0.4, 'float32', 7) as tf.Tensor4D;
  const k2 = tf.randomNormal([3, 3, 8, 16], 0, 0.2, 'float32', 8) as tf.Tensor4D;
  const b2 = tf.randomNormal([16], 0, 0.1, 'float32', 9) as tf.Tensor1D;
  return {
    outputs(x, names) {
      return tf.tidy(() => {
        const c1 = tf.relu(tf.conv2d(x, k1, 1, 'same'));
        const c2 = tf.relu6(tf.add(tf.conv2d(c1, k2, 2, 'same'), b2));
        const env: Record<string, tf.Tensor> = { c1, c2 };
        return names.map((n) => {
          const t = env[n];
          if (!t) throw new Error(`no layer ${n}`);
          return t;
        });
      });
    },
    inputRange: [-1, 1],
    dispose() {
      k1.dispose();
      k2.dispose();
      b2.dispose();
    },
  };
}

/** Mean activation of one layer of `net` on an 8-bit image (whole image, no tiling). */
export function meanActivation(net: DreamNet, image: RgbaImage, layer: string): number {
  const [lo, hi] = net.inputRange ?? [-1, 1];
  const k = (hi - lo) / 255;
  const rgb = new Float32Array(image.width * image.height * 3);
  for (let p = 0; p < image.width * image.height; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = image.data[p * 4 + c]! * k + lo;
  return tf.tidy(() => {
    const [a] = net.outputs(tf.tensor4d(rgb, [1, image.height, image.width, 3]), [layer]);
    return tf.mean(a!).dataSync()[0]!;
  });
}

/** Largest absolute difference per channel value between two RGBA images, RGB only. */
export function maxDiff(a: RgbaImage, b: RgbaImage): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) if (i % 4 !== 3) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}
