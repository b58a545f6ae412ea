import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  applyChannelMask,
  categoricalAccuracy,
  maskWeakest,
  meanActivationImportance,
  rankChannels,
  scoreChannels,
  type EvalData,
} from '@prune/core';

/** Test accuracy of a classifier: the arg-max of its output against the digit labels. */
export function accuracy(model: LayersModel, data: EvalData): number {
  const output = model.predict(data.inputs as tf.Tensor) as tf.Tensor; // [N, 10]
  const probabilities = output.dataSync() as Float32Array;
  output.dispose();
  return categoricalAccuracy().compute(
    probabilities,
    Float32Array.from(data.labels as ArrayLike<number>),
    10,
  );
}

/**
 * Scores conv2's channels by mean activation (the lab's criterion), masks the K
 * weakest, and measures the cost.
 */
export async function rankAndMask(model: LayersModel, test: EvalData, k = 4) {
  // One score per output channel of conv2, from its activations on the test images.
  const scores = await scoreChannels(meanActivationImportance(), {
    model,
    layer: 'conv2',
    data: test,
  });
  // channel indices, weakest first (ties keep channel order)
  const order = rankChannels(scores);
  // { layer: 'conv2', channels: 16, pruned: the K weakest, ascending }
  const mask = maskWeakest('conv2', order, k);

  // The lab's pruning: a copy of the model with every weight entry surgery would remove
  // set to 0 (conv2's kernel
  // slices and biases, and the Dense rows those channels feed), so the copy computes
  // what the pruned model does.
  const masked = await applyChannelMask(model, mask);
  const before = accuracy(model, test);
  const after = accuracy(masked, test);
  masked.dispose();
  console.log(
    `pruned channels ${mask.pruned.join(', ')} of conv2: ` +
      `accuracy ${before.toFixed(3)} → ${after.toFixed(3)}`,
  );
  return { scores, order, mask, before, after };
}
