import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { maskWeakest, meanActivationImportance, pruneChannels } from '@prune/core';
import { rankChannels, scoreChannels, type EvalData } from '@prune/core';

/** Two steps of 4 channels off conv2, each re-ranked on `calibration` and fine-tuned. */
export async function pruneAndTune(
  model: LayersModel,
  calibration: EvalData,
  train: { x: tf.Tensor; y: tf.Tensor },
): Promise<LayersModel> {
  let current = model;
  for (const k of [4, 4]) {
    const scores = await scoreChannels(meanActivationImportance(), {
      model: current,
      layer: 'conv2',
      data: calibration,
    });
    const order = rankChannels(scores);
    current = await pruneChannels(current, maskWeakest('conv2', order, k));
    current.compile({
      optimizer: tf.train.adam(1e-3),
      loss: 'categoricalCrossentropy',
    });
    await current.fit(train.x, train.y, { epochs: 1, batchSize: 64, verbose: 0 });
  }
  return current;
}
