import { mean, variableGrads, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { metrics, type LayersModel } from '@tensorflow/tfjs-layers';
import { applySiamese } from '@prune/siamese';

/** A batch's training loss and its gradient for every weight, as a training step computes them. */
export function lossAndGradients(model: LayersModel, left: Tensor, right: Tensor, labels: Tensor, inputGradients = false) {
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  return variableGrads(() => {
    // training: dropout on; inputGradients: false skips the images' gradient, which tfjs would compute and drop
    const p = applySiamese(model, [left, right], { training: true, inputGradients }) as Tensor; // [B, 1]
    return mean(metrics.binaryCrossentropy(labels, p)) as Scalar;
  }, variables);
}
