import { getBackend, tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { PairBatch, PairSet } from '@prune/mnist-pairs';
import { siameseToArtifacts } from '../modelArtifacts';
import { seedStream } from '../seeds';
import { runTraining, type StepOutcome, type Stepper, type TrainSettings } from '../trainingLoop';
import { trainSiamese, type TrainHistory, type TrainOptions } from '../trainSiamese';
import { batchInputsBuffer, batchInputsOf } from './batchInputs';
import { gradientExchangeLayout } from './gradientExchange';
import { Replica } from './replica';

/** Options of {@link trainSiameseParallel}: those of `trainSiamese` (without `optimizer`) and the thread count. */
export interface ParallelTrainOptions extends Omit<TrainOptions, 'optimizer'> {
  /**
   * Model replicas, one worker thread each, that share every batch (default: every core, as `defaultThreadCount`).
   * 1 trains on this thread, exactly as `trainSiamese`.
   */
  threads?: number;
}

/**
 * Trains a Siamese model in place as `trainSiamese` does, on every core: each batch is split between `threads`
 * replicas of the model in worker threads (wasm, one thread each), which sum their gradients in replica order
 * through shared memory and each take the same Adam step, so a seed and a thread count give the same model run
 * after run.
 * The replicas' dropout masks are drawn from the seed per replica, so another thread count trains differently.
 * Runs on this thread instead when the backend is not wasm (tfjs-node uses every core itself) or `threads` is 1.
 *
 * @param model - a Siamese model (`createSiameseModel` or loaded); its weights are replaced by the trained ones.
 * @param pairs - the training pairs (`makePairs`).
 * @param options - `threads`, and `trainSiamese`'s `epochs`, `batchSize`, `learningRate`, `seed`, `shuffle`, `signal`, `onBatch`, `onEpoch`.
 * @returns Each epoch's loss, accuracy and throughput, and the number of replicas that trained.
 *
 * @example
 * ```ts
 * import { selectBackend } from '@prune/backend';
 * import { makePairs, subsetSplit } from '@prune/mnist-pairs';
 * import { loadMnist } from '@prune/mnist-pairs/node';
 * import { createSiameseModel } from '@prune/siamese';
 * import { trainSiameseParallel } from '@prune/siamese/node';
 *
 * await selectBackend('wasm');
 * const pairs = makePairs(subsetSplit((await loadMnist()).train, 0.1, 42), 10000, 42);
 * const history = await trainSiameseParallel(createSiameseModel(), pairs, { epochs: 1 });
 * console.log(`${history.replicas} replicas, ${history.seconds.toFixed(1)} s`);
 * ```
 */
export async function trainSiameseParallel(model: LayersModel, pairs: PairSet, options: ParallelTrainOptions = {}): Promise<TrainHistory> {
  const given = options.threads;
  if (given !== undefined && (!Number.isInteger(given) || given < 1)) throw new Error(`trainSiameseParallel: options.threads must be a positive integer, got ${String(given)}`);
  if (getBackend() !== 'wasm') return trainSiamese(model, pairs, options);
  // Loaded only now: @prune/backend's root registers the wasm backend, which is already the one in use here.
  const threads = given ?? (await (await import('@prune/backend')).defaultThreadCount());
  if (threads === 1) return trainSiamese(model, pairs, options);
  return runTraining(model, pairs, options, (settings) => parallelStepper(model, threads, settings), threads);
}

async function parallelStepper(model: LayersModel, threads: number, { learningRate, dropoutSeed, batchSize }: TrainSettings): Promise<Stepper> {
  const { readInto } = await import('@prune/backend'); // loaded by trainSiameseParallel already
  const artifacts = await siameseToArtifacts(model);
  const seeds = seedStream(dropoutSeed);
  const exchange = gradientExchangeLayout(model.trainableWeights.map((w) => w.shape as number[]), threads);
  const shared = batchInputsBuffer(batchSize);
  const inputs = batchInputsOf(shared);
  const replicas = Array.from({ length: threads }, (_, k) => new Replica(k));
  try {
    await Promise.all(replicas.map((r, index) => r.request({ type: 'init', artifacts, dropoutSeed: seeds(), learningRate, exchange, inputs: shared, index }, 'ready')));
  } catch (error) {
    await Promise.all(replicas.map((r) => r.terminate()));
    throw error;
  }
  return {
    step(batch) {
      // The replicas have read the previous batch: they answered its step.
      readInto(batch.left, inputs.left);
      readInto(batch.right, inputs.right);
      readInto(batch.labels, inputs.labels);
      return parallelStep(replicas, batch);
    },
    async close() {
      try {
        const shapes = model.getWeights().map((w) => w.shape);
        const trained = (await agreedWeights(replicas)).map((values, i) => tensor(values, shapes[i], 'float32'));
        model.setWeights(trained);
        for (const t of trained) t.dispose();
      } finally {
        await Promise.all(replicas.map((r) => r.terminate()));
      }
    },
  };
}

/**
 * Has each replica step on one contiguous shard of the batch in the shared inputs: the replicas sum their
 * gradients in replica order through the shared exchange and each takes the same Adam step.
 */
async function parallelStep(replicas: Replica[], batch: PairBatch): Promise<StepOutcome> {
  // Posted before the first await, so the loop makes the next batch meanwhile.
  const shards = shardsOf(batch.size, replicas.length);
  const answers = await Promise.all(
    replicas.map((replica, k) => {
      const [from, to] = shards[k] ?? [0, 0]; // every replica meets at the exchange, with pairs or without
      return replica.request({ type: 'step', from, to, total: batch.size, contributors: shards.length }, 'stepped');
    }),
  );
  return { loss: answers.reduce((s, a) => s + a.loss, 0), correct: answers.reduce((s, a) => s + a.correct, 0) };
}

/** Contiguous, non-empty [from, to) ranges of a batch, as even as can be, at most `count`. */
function shardsOf(size: number, count: number): [number, number][] {
  const shards: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    const from = Math.floor((k * size) / count);
    const to = Math.floor(((k + 1) * size) / count);
    if (to > from) shards.push([from, to]);
  }
  return shards;
}

/** Every replica's weights, which must be bit-identical (they took the same steps from the same start). */
async function agreedWeights(replicas: Replica[]): Promise<Float32Array[]> {
  const all = await Promise.all(replicas.map((r) => r.request({ type: 'weights' }, 'weights')));
  const first = all[0]!.values;
  for (const [k, other] of all.entries()) {
    other.values.forEach((values, i) => {
      const a = new Uint32Array(values.buffer, values.byteOffset, values.length);
      const b = new Uint32Array(first[i]!.buffer, first[i]!.byteOffset, first[i]!.length);
      if (a.some((x, j) => x !== b[j])) throw new Error(`trainSiameseParallel: replica ${k} ended with other weights than replica 0 (weight ${i}); the replicas must stay identical`);
    });
  }
  return first;
}
