import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { FusedAdamOptimizer } from '@prune/backend/optimizers';
import type { LoadedData } from './data/loadData';

/**
 * Fine-tunes a pruned model in place on the labelled data: Adam, cross-entropy (binary for one output unit,
 * categorical on one-hot class indices otherwise), shuffled batches.
 */
export async function fineTune(
  model: LayersModel,
  data: LoadedData,
  options: { epochs: number; learningRate: number; batchSize: number; onEpoch?: (epoch: number, loss: number) => void },
): Promise<number[]> {
  if (data.labels === undefined) throw new Error('--fine-tune-epochs needs labelled data: an image folder, a .json file with "labels", or --labels');
  const units = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
  const labels = Int32Array.from(data.labels as ArrayLike<number>);
  const y = tf.tidy(() => (units === 1 ? tf.tensor2d(Float32Array.from(labels), [labels.length, 1]) : tf.oneHot(tf.tensor1d(labels, 'int32'), units)));
  // tf.train.adam's numbers (its default betas and epsilon), in one pass per variable instead of ~10 kernels.
  model.compile({ optimizer: new FusedAdamOptimizer(options.learningRate, 0.9, 0.999), loss: units === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy' });
  const losses: number[] = [];
  try {
    await model.fit(data.inputs, y, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          losses.push(Number(logs?.loss));
          options.onEpoch?.(epoch + 1, Number(logs?.loss));
        },
      },
    });
  } finally {
    y.dispose();
  }
  return losses;
}
