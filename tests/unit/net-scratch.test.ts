import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { loadModelFromDir } from '../../electron/cli/model-files';
import { buildPlainNet } from '../../renderer/worker/compute/net/plain-net';
import { maxAbs, maxAbsDiff, modelDir, useBackend } from './net-fixtures';
it('scratch', async () => {
  await useBackend('cpu');
  const { model } = await loadModelFromDir(modelDir);
  const net = buildPlainNet(model);
  for (const [size, layer] of [[64, 'conv_pw_13_relu'], [64, 'conv_preds'], [96, 'conv_preds']] as const) {
    const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
    const a = await tf.grad((xi: tf.Tensor) => tf.sum(tf.square(sub.apply(xi) as tf.Tensor)))(x).data();
    const b = await tf.grad((xi: tf.Tensor) => tf.sum(tf.square(net.forward(xi as tf.Tensor4D, [layer === 'conv_preds' ? 'logits' : layer], { grads: 'native' })[0]!)))(x).data();
    const fa = await (sub.apply(x) as tf.Tensor).data(); const fb = await net.forward(x, [layer === 'conv_preds' ? 'logits' : layer])[0]!.data();
    console.log('DBG', size, layer, maxAbsDiff(a, b) / maxAbs(a), maxAbsDiff(fa, fb) / maxAbs(fa));
  }
});
