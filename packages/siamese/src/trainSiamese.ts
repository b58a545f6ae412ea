import { cast, equal, greaterEqual, keep, mean, reshape, sum, type Optimizer, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { metrics, type LayersModel } from '@tensorflow/tfjs-layers';
import { FusedAdamOptimizer } from '@prune/backend/optimizers';
import { pairBatches, type PairSet } from '@prune/mnist-pairs';
import { seedDropoutLayers } from './seededDropout';
import { seedStream } from './seeds';

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
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const learningRate = options.learningRate ?? 1e-3;
  const seed = options.seed ?? 42;
  checkTrainOptions(model, pairs, epochs, batchSize, learningRate, seed);
  const { signal, onBatch, onEpoch } = options;
  signal?.throwIfAborted();

  // PyTorch's Adam defaults (tfjs would take epsilon 1e-7). FusedAdamOptimizer gives train.adam's numbers bit for
  // bit with one pass per variable instead of about ten kernels.
  const optimizer = options.optimizer ?? new FusedAdamOptimizer(learningRate, 0.9, 0.999, 1e-8);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const root = seedStream(seed);
  const shuffleSeeds = seedStream(root());
  const restoreDropout = seedDropoutLayers(model, seedStream(root()));
  const batches = Math.ceil(pairs.count / batchSize);
  const history: TrainHistory = { epochs: [], seconds: 0 };
  const started = now();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStarted = now();
      let lossSum = 0;
      let correctSum = 0;
      let batch = 0;
      let batchStarted = epochStarted;
      const iterator = pairBatches(pairs, { batchSize, shuffle: options.shuffle ?? true, seed: shuffleSeeds() });
      try {
        for (const b of iterator) {
          let correct: Tensor | undefined;
          let cost: Scalar | null = null;
          try {
            cost = optimizer.minimize(
              () => {
                const p = model.apply([b.left, b.right], { training: true }) as Tensor; // [B, 1]
                const y = reshape(b.labels, [-1, 1]); // [B, 1]
                correct = keep(sum(cast(equal(greaterEqual(p, 0.5), cast(y, 'bool')), 'float32')));
                return mean(metrics.binaryCrossentropy(y, p)) as Scalar;
              },
              true,
              variables,
            );
            if (cost == null || correct == null) throw new Error('trainSiamese: the optimiser returned no loss');
            const [lossValue, correctValue] = await Promise.all([cost.data(), correct.data()]);
            const loss = lossValue[0] as number;
            const right = correctValue[0] as number;
            if (!Number.isFinite(loss)) throw new Error(`trainSiamese: loss became ${loss} at epoch ${epoch}, batch ${batch + 1}`);
            lossSum += loss * b.size;
            correctSum += right;
            batch++;
            const t = now();
            await onBatch?.({ epoch, batch, batches, size: b.size, loss, accuracy: right / b.size, pairsPerSecond: b.size / ((t - batchStarted) / 1000) });
          } finally {
            b.left.dispose();
            b.right.dispose();
            b.labels.dispose();
            cost?.dispose();
            correct?.dispose();
          }
          await yieldToEventLoop(); // lets an abort (or a UI) get through between batches
          signal?.throwIfAborted();
          batchStarted = now();
        }
      } finally {
        iterator.return(undefined); // release the generator if we left early
      }
      const seconds = (now() - epochStarted) / 1000;
      const progress: EpochProgress = { epoch, epochs, loss: lossSum / pairs.count, accuracy: correctSum / pairs.count, pairsPerSecond: pairs.count / seconds, seconds };
      history.epochs.push(progress);
      await onEpoch?.(progress);
      signal?.throwIfAborted();
    }
  } finally {
    restoreDropout();
    if (options.optimizer == null) optimizer.dispose();
    history.seconds = (now() - started) / 1000;
  }
  return history;
}

function checkTrainOptions(model: LayersModel, pairs: PairSet, epochs: number, batchSize: number, learningRate: number, seed: number): void {
  if (model.inputs.length !== 2 || model.outputs.length !== 1) {
    throw new Error(`trainSiamese: model '${model.name}' must have 2 inputs and 1 output, has ${model.inputs.length} and ${model.outputs.length}`);
  }
  if (!Number.isInteger(pairs.count) || pairs.count < 1) throw new Error(`trainSiamese: pairs.count must be a positive integer, got ${pairs.count}`);
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`trainSiamese: options.epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`trainSiamese: options.batchSize must be a positive integer, got ${batchSize}`);
  if (!(learningRate >= 0)) throw new Error(`trainSiamese: options.learningRate must be >= 0, got ${learningRate}`);
  if (!Number.isInteger(seed)) throw new Error(`trainSiamese: options.seed must be an integer, got ${seed}`);
}

function now(): number {
  return performance.now();
}

function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
