import { mean, variableGrads } from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import { metrics, type LayersModel } from '@tensorflow/tfjs-layers';
import { applySiamese } from '@prune/siamese';

/** A batch's training loss and its gradient for each weight, as in training. */
export function lossAndGradients(
  model: LayersModel,
  [left, right]: [Tensor, Tensor],
  labels: Tensor, // [B, 1]
  inputGradients = false, // false: skip the images' gradient (tfjs computes and drops it)
) {
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  return variableGrads(() => {
    const options = { training: true, inputGradients }; // training: dropout on
    const p = applySiamese(model, [left, right], options) as Tensor; // [B, 1]
    return mean(metrics.binaryCrossentropy(labels, p)) as Scalar;
  }, variables);
}
