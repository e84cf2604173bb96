/** The hand-weighted red-square model shared by the CAM and faithfulness tests. */
import * as tf from '@tensorflow/tfjs';

/** A tiny model, weights set by hand: class 1 fires on red pixels; its CAM must sit on the red square. */
export function redSquareModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 2, kernelSize: 1, activation: 'relu', name: 'redness' }));
  m.add(tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'feat' }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'head' }));
  // redness: channel 0 = R - G - B (red 1, gray -0.5, white -1); channel 1 = constant 0.
  m.getLayer('redness').setWeights([tf.tensor4d([1, 0, -1, 0, -1, 0], [1, 1, 3, 2]), tf.zeros([2])]);
  // feat: 3×3 average of redness into channel 0.
  const k = new Float32Array(3 * 3 * 2 * 2);
  for (let i = 0; i < 9; i++) k[i * 4] = 1 / 9;
  m.getLayer('feat').setWeights([tf.tensor4d(k, [3, 3, 2, 2]), tf.zeros([2])]);
  m.getLayer('head').setWeights([tf.tensor2d([[-5, 5], [0, 0]]), tf.tensor1d([0, 0])]);
  return m;
}
