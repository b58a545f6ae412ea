import { FusedAdamOptimizer } from '@prune/backend/optimizers';

/**
 * The lab's optimiser: Adam with PyTorch's defaults (β 0.9/0.999, ε 1e-8; tfjs would take ε 1e-7), as
 * FusedAdamOptimizer: train.adam's numbers bit for bit with one pass per variable instead of about ten kernels.
 */
export function labAdam(learningRate: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999, 1e-8);
}
