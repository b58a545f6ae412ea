import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { describe, expect, it } from 'vitest';
import { scoreChannels } from '../criteria/importance';
import { rankChannels } from '../criteria/rankChannels';
import { taylorImportance } from '../criteria/taylorImportance';
import { maskWeakest } from '../masks/channelMask';
import { pruneChannels } from '../surgery/pruneChannels';
import { withoutKernelLeakCheck } from '../test-utils/withoutKernelLeakCheck';
import { categoricalAccuracy } from './metrics';
import { sweepChannels } from './sweepChannels';

/** A Conv-BN-ReLU digit classifier with a residual Add around its second block, trained briefly on real MNIST. */
async function trainedClassifier(): Promise<{ model: tfl.LayersModel; images: tf.Tensor4D; labels: Float32Array }> {
  const mnist = await loadMnist();
  const train = subsetSplit(mnist.train, 1500 / 60000, 21);
  const test = subsetSplit(mnist.test, 400 / 10000, 22);
  const g = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) });
  const on = (layer: { apply(x: tfl.SymbolicTensor | tfl.SymbolicTensor[]): unknown }, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
  const input = tfl.input({ shape: [28, 28, 1] });
  const c1 = on(tfl.layers.maxPooling2d({ poolSize: 2 }), on(tfl.layers.reLU(), on(tfl.layers.batchNormalization({ name: 'bn1' }), on(tfl.layers.conv2d({ name: 'conv1', filters: 8, kernelSize: 3, padding: 'same', useBias: false, ...g(1) }), input))));
  const c2 = on(tfl.layers.batchNormalization({ name: 'bn2' }), on(tfl.layers.conv2d({ name: 'conv2', filters: 8, kernelSize: 3, padding: 'same', useBias: false, ...g(2) }), c1));
  const sum = on(tfl.layers.reLU(), on(tfl.layers.add({ name: 'residual' }), [c1, c2]));
  const head = on(tfl.layers.dense({ name: 'classes', units: 10, activation: 'softmax', ...g(3) }), on(tfl.layers.flatten(), on(tfl.layers.maxPooling2d({ poolSize: 2 }), sum)));
  const model = tfl.model({ inputs: input, outputs: head });
  model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(train.images, [train.count, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
  await withoutKernelLeakCheck(() => model.fit(x, y, { epochs: 2, batchSize: 50, shuffle: false, verbose: 0 }));
  tf.dispose([x, y]);
  return { model, images: tf.tensor4d(test.images, [test.count, 28, 28, 1]), labels: Float32Array.from(test.labels) };
}

describe('sweep with BatchNormalization and a residual Add, on real MNIST', () => {
  it('gives at each K the accuracy of the model surgery returns (Taylor order)', async () => {
    const { model, images, labels } = await trainedClassifier();
    const data = { inputs: images, labels };
    // conv1's group: conv1, bn1, and through the Add, conv2 and bn2.
    const order = rankChannels(await scoreChannels(taylorImportance(), { model, layer: 'conv1', data, batchSize: 100 }));
    const ks = [2, 4, 6];
    const sweep = await sweepChannels(model, 'conv1', order, data, { ks, keepPredictions: true });
    expect(sweep.baseline).toBeGreaterThan(0.8); // trained: the accuracies compared below are meaningful
    for (const [i, k] of ks.entries()) {
      const pruned = await pruneChannels(model, maskWeakest('conv1', order, k));
      const out = pruned.predict(images) as tf.Tensor;
      const expected = Float32Array.from(out.dataSync());
      const worst = expected.reduce((m, v, j) => Math.max(m, Math.abs(v - sweep.predictions![i]![j]!)), 0);
      expect(worst).toBeLessThan(1e-5);
      expect(sweep.points[i]!.metric).toBe(categoricalAccuracy().compute(expected, labels, 10));
      tf.dispose(out);
      pruned.dispose();
    }
    expect(sweep.points[2]!.metric).toBeLessThan(sweep.baseline); // removing channels cost accuracy: a real check
    images.dispose();
    model.dispose();
  });
});
