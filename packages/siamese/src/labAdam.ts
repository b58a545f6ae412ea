import { FusedAdamOptimizer } from '@prune/backend/optimizers';

/**
 * The optimiser `trainSiamese` creates when given none: Adam with PyTorch's defaults (β 0.9/0.999, ε 1e-8; tfjs
 * would take ε 1e-7), as FusedAdamOptimizer, which gives train.adam's numbers bit for bit with one pass per variable
 * instead of about ten kernels. Make one yourself to keep its state across calls (`options.optimizer`).
 *
 * @param learningRate - Adam's step size (the lab's is 1e-3).
 * @returns A fresh optimiser; the caller disposes it.
 *
 * @example
 * ```ts
 * import { makePairs, subsetSplit } from '@prune/mnist-pairs';
 * import { loadMnist } from '@prune/mnist-pairs/node';
 * import { createSiameseModel, labAdam, trainSiamese } from '@prune/siamese';
 *
 * const pairs = makePairs(subsetSplit((await loadMnist()).train, 0.1, 42), 10000, 42);
 * const siamese = createSiameseModel();
 * const optimizer = labAdam(1e-3);
 * await trainSiamese(siamese, pairs, { epochs: 5, optimizer });
 * // five more epochs, continuing with Adam's moments
 * await trainSiamese(siamese, pairs, { epochs: 5, optimizer });
 * optimizer.dispose();
 * ```
 */
export function labAdam(learningRate: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999, 1e-8);
}
