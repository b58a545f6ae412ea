// Makes the tutorial's starting point, "your model": a small digit classifier trained
// on MNIST and saved as model.json + weights.bin in my-model/. The files are committed;
// to remake them: pnpm --filter @prune/docs exec tsx --conditions=@prune/source
//   examples/tutorial/trainMyModel.ts
import { selectBackend } from '@prune/backend';
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers, sequential } from '@tensorflow/tfjs-layers';
import { fileSystem } from '@prune/core/node';
import { subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { resolve } from 'node:path';

await selectBackend('wasm', { threads: 1 });
const seed = (s: number) => ({
  kernelInitializer: initializers.glorotUniform({ seed: s }),
});
const model = sequential({
  name: 'digits',
  layers: [
    layers.conv2d({
      name: 'conv1',
      inputShape: [28, 28, 1],
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      ...seed(1),
    }),
    layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
    layers.conv2d({
      name: 'conv2',
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      ...seed(2),
    }),
    layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
    layers.flatten({ name: 'flatten' }),
    layers.dense({ name: 'digit', units: 10, activation: 'softmax', ...seed(3) }),
  ],
});
const train = subsetSplit((await loadMnist()).train, 0.2, 7); // 12000 images
const x = tf.tensor4d(train.images, [train.count, 28, 28, 1]);
const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
const loss = 'categoricalCrossentropy';
model.compile({ optimizer: tf.train.adam(3e-3), loss, metrics: ['accuracy'] });
const history = await model.fit(x, y, { epochs: 3, batchSize: 64, shuffle: true });
console.log('train accuracy by epoch', history.history['acc']);
await model.save(fileSystem(resolve(import.meta.dirname, 'my-model')));
