import type { LayersModel } from '@tensorflow/tfjs-layers';
import { pairBatches, type PairBatch, type PairSet } from '@prune/mnist-pairs';
import { seedStream } from './seeds';
import type { EpochProgress, TrainHistory, TrainOptions } from './trainSiamese';

/** What one optimiser step on a batch reports. */
export interface StepOutcome {
  /** Mean loss of the batch (before the step). */
  loss: number;
  /** Pairs of the batch predicted right (before the step). */
  correct: number;
}

/** Does the optimiser steps of one training run; made once the run's settings are known. */
export interface Stepper {
  /**
   * One optimiser step on a batch (the loop disposes the batch's tensors). The loop makes the next batch before
   * awaiting the step, so a stepper whose work runs elsewhere should hand it off before its first await.
   */
  step(batch: PairBatch): Promise<StepOutcome>;
  /** Called once when training ends, also after an error. */
  close(): Promise<void>;
}

/** The settings of a run with every default applied, as a {@link Stepper} is made from. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds the dropout masks of the run (drawn from the run's seed after the shuffling's). */
  dropoutSeed: number;
}

/**
 * The loop shared by every way of training a Siamese model: checks the options, shuffles the pairs with a seed per
 * epoch, runs `open`'s stepper on each batch, reports progress, stops between batches when aborted.
 */
export async function runTraining(
  model: LayersModel,
  pairs: PairSet,
  options: TrainOptions,
  open: (settings: TrainSettings) => Promise<Stepper>,
  replicas = 1,
): Promise<TrainHistory> {
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const learningRate = options.learningRate ?? 1e-3;
  const seed = options.seed ?? 42;
  checkTrainOptions(model, pairs, epochs, batchSize, learningRate, seed);
  const { signal, onBatch, onEpoch } = options;
  signal?.throwIfAborted();

  const root = seedStream(seed);
  const shuffleSeeds = seedStream(root());
  const stepper = await open({ epochs, batchSize, learningRate, dropoutSeed: root() });
  const batches = Math.ceil(pairs.count / batchSize);
  const history: TrainHistory = { epochs: [], seconds: 0, replicas };
  let failed = false;
  const started = now();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStarted = now();
      let lossSum = 0;
      let correctSum = 0;
      let batch = 0;
      let batchStarted = epochStarted;
      const iterator = pairBatches(pairs, { batchSize, shuffle: options.shuffle ?? true, seed: shuffleSeeds() });
      let next = iterator.next();
      try {
        while (!next.done) {
          const b = next.value;
          try {
            const stepped = stepper.step(b);
            next = iterator.next(); // made while replicas in other threads take the step
            const { loss, correct } = await stepped;
            if (!Number.isFinite(loss)) throw new Error(`trainSiamese: loss became ${loss} at epoch ${epoch}, batch ${batch + 1}`);
            lossSum += loss * b.size;
            correctSum += correct;
            batch++;
            const t = now();
            await onBatch?.({ epoch, batch, batches, size: b.size, loss, accuracy: correct / b.size, pairsPerSecond: b.size / ((t - batchStarted) / 1000) });
          } finally {
            disposeBatch(b);
          }
          await yieldToEventLoop(); // lets an abort (or a UI) get through between batches
          signal?.throwIfAborted();
          batchStarted = now();
        }
      } finally {
        if (!next.done) disposeBatch(next.value); // made ahead, not stepped: we left early
        iterator.return(undefined); // release the generator if we left early
      }
      const seconds = (now() - epochStarted) / 1000;
      const progress: EpochProgress = { epoch, epochs, loss: lossSum / pairs.count, accuracy: correctSum / pairs.count, pairsPerSecond: pairs.count / seconds, seconds };
      history.epochs.push(progress);
      await onEpoch?.(progress);
      signal?.throwIfAborted();
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // After a failure the first error is the one to see; closing may fail too when a replica broke.
    await stepper.close().catch((error: unknown) => {
      if (!failed) throw error;
    });
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

function disposeBatch(b: PairBatch): void {
  b.left.dispose();
  b.right.dispose();
  b.labels.dispose();
}

function now(): number {
  return performance.now();
}

function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
