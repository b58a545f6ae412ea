import { cast, div, equal, greaterEqual, keep, mean, reshape, sum, type Scalar, type Tensor } from '@tensorflow/tfjs-core';
import { metrics, type LayersModel } from '@tensorflow/tfjs-layers';
import { applySiamese } from './applySiamese';

/** One batch of pairs as tensors: images [B, 28, 28, 1] and labels [B]. */
export interface PairTensors {
  left: Tensor;
  right: Tensor;
  labels: Tensor;
}

/**
 * The training loss of a batch (binary cross-entropy of the model's sigmoid output, in training mode), for use inside
 * an optimiser's or `variableGrads`' function: the mean over the batch, or, given `total`, the sum over this batch
 * divided by `total` (a shard's share of a larger batch's mean). Also keeps the count of pairs predicted right at
 * p ≥ 0.5, which the caller disposes. The shared encoder runs once over both images of every pair (`applySiamese`).
 */
export function siameseLoss(model: LayersModel, batch: PairTensors, total?: number): { loss: Scalar; correct: Tensor } {
  const p = applySiamese(model, [batch.left, batch.right], { training: true, inputGradients: false }) as Tensor; // [B, 1]
  const y = reshape(batch.labels, [-1, 1]); // [B, 1]
  const correct = keep(sum(cast(equal(greaterEqual(p, 0.5), cast(y, 'bool')), 'float32')));
  const bce = metrics.binaryCrossentropy(y, p);
  return { loss: (total === undefined ? mean(bce) : div(sum(bce), total)) as Scalar, correct };
}
