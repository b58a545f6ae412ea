import type { Optimizer, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { PairSet } from '@prune/mnist-pairs';
import { labAdam } from './labAdam';
import { seedDropoutLayers } from './seededDropout';
import { seedStream } from './seeds';
import { siameseLoss } from './siameseLoss';
import { runTraining, type Stepper, type TrainSettings } from './trainingLoop';

/** Options of {@link trainSiamese}; every default is the lab's. */
export interface TrainOptions {
  /** Passes over the training pairs (default 10). */
  epochs?: number;
  /** Pairs per optimiser step (default 64); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). Ignored when `optimizer` is given. */
  learningRate?: number;
  /** Seed of the shuffling and of the dropout masks (default 42). */
  seed?: number;
  /** Shuffle the pairs at every epoch (default true). */
  shuffle?: boolean;
  /** An optimiser to use (and keep) instead of a fresh Adam, e.g. to continue training; the caller disposes it. */
  optimizer?: Optimizer;
  /** Aborting stops training between two batches; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after every batch (awaited). */
  onBatch?: (progress: BatchProgress) => void | Promise<void>;
  /** Called after every epoch (awaited), e.g. to evaluate on a test set. */
  onEpoch?: (progress: EpochProgress) => void | Promise<void>;
}

/** Progress after one training batch. */
export interface BatchProgress {
  /** Epoch number, 1-based. */
  epoch: number;
  /** Batch number within the epoch, 1-based. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Pairs in this batch. */
  size: number;
  /** Mean binary cross-entropy of this batch (with dropout, before the step). */
  loss: number;
  /** Share of this batch's pairs predicted right at p ≥ 0.5 (before the step). */
  accuracy: number;
  /** Throughput of this batch. */
  pairsPerSecond: number;
}

/** Progress after one epoch. */
export interface EpochProgress {
  /** Epoch number, 1-based. */
  epoch: number;
  /** Epochs in the whole run. */
  epochs: number;
  /** Mean training loss over the epoch's pairs. */
  loss: number;
  /** Training accuracy over the epoch's pairs. */
  accuracy: number;
  /** Throughput over the epoch. */
  pairsPerSecond: number;
  /** Wall time of the epoch in seconds. */
  seconds: number;
}

/** What {@link trainSiamese} did, epoch by epoch. */
export interface TrainHistory {
  /** One entry per completed epoch. */
  epochs: EpochProgress[];
  /** Wall time of the whole run in seconds. */
  seconds: number;
  /** Model replicas that shared each batch: 1 when trained on this thread (`trainSiameseParallel` runs more). */
  replicas: number;
}

/**
 * Trains a Siamese model in place on labelled pairs: binary cross-entropy on its sigmoid output, Adam, seeded
 * shuffling and dropout, progress per batch and per epoch, cancellable through an AbortSignal.
 *
 * @param model - a Siamese model (`createSiameseModel`): two image inputs, one probability out.
 * @param pairs - the training pairs (`makePairs`).
 * @param options - `epochs`, `batchSize`, `learningRate`, `seed`, `shuffle`, `optimizer`, `signal`, `onBatch`, `onEpoch`.
 * @returns Each epoch's loss, accuracy and throughput.
 *
 * @example
 * ```ts
 * import { makePairs, subsetSplit } from '@prune/mnist-pairs';
 * import { loadMnist } from '@prune/mnist-pairs/node';
 * import { createSiameseModel, trainSiamese } from '@prune/siamese';
 *
 * const train = subsetSplit((await loadMnist()).train, 0.1, 42);
 * const siamese = createSiameseModel();
 * const history = await trainSiamese(siamese, makePairs(train, 10000, 42), { epochs: 10 });
 * console.log(history.epochs.map((e) => e.accuracy));
 * ```
 */
export async function trainSiamese(model: LayersModel, pairs: PairSet, options: TrainOptions = {}): Promise<TrainHistory> {
  return runTraining(model, pairs, options, async (settings) => localStepper(model, options.optimizer, settings));
}

/** Steps on this thread's backend: one `minimize` per batch. */
function localStepper(model: LayersModel, given: Optimizer | undefined, { learningRate, dropoutSeed }: TrainSettings): Stepper {
  const optimizer = given ?? labAdam(learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const restoreDropout = seedDropoutLayers(model, seedStream(dropoutSeed));
  return {
    async step(b) {
      let correct: Tensor | undefined;
      const cost = optimizer.minimize(
        () => {
          const out = siameseLoss(model, b);
          correct = out.correct;
          return out.loss;
        },
        true,
        variables,
      );
      try {
        if (cost == null || correct == null) throw new Error('trainSiamese: the optimiser returned no loss');
        const [loss, right] = await Promise.all([cost.data(), correct.data()]);
        return { loss: loss[0] as number, correct: right[0] as number };
      } finally {
        cost?.dispose();
        correct?.dispose();
      }
    },
    async close() {
      restoreDropout();
      if (given == null) optimizer.dispose();
    },
  };
}
