import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { pairBatches, type PairSet } from '@prune/mnist-pairs';
import { evaluatePredictions, type Evaluation } from './evaluatePredictions';

/** Options of {@link predictPairs} and {@link evaluateSiamese}. */
export interface PredictOptions {
  /** Pairs per forward pass (default 256); results do not depend on it beyond float rounding. */
  batchSize?: number;
}

/**
 * The model's probability of "same digit" for every pair, in the pair set's order (inference mode: no dropout).
 *
 * @param model - a Siamese model.
 * @param pairs - the pairs to predict.
 * @param options - `batchSize`: pairs per forward pass (default 256).
 * @returns One probability of "same digit" per pair.
 *
 * @example
 * ```ts
 * import type { PairSet } from '@prune/mnist-pairs';
 * import { predictPairs } from '@prune/siamese';
 *
 * declare const testPairs: PairSet;
 * const p = await predictPairs(model, testPairs);
 * console.log(p[0]! >= 0.5 ? 'same digit' : 'different digits');
 * ```
 */
export async function predictPairs(model: LayersModel, pairs: PairSet, options: PredictOptions = {}): Promise<Float32Array> {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`predictPairs: options.batchSize must be a positive integer, got ${batchSize}`);
  if (model.inputs.length !== 2) throw new Error(`predictPairs: model '${model.name}' must have 2 inputs, has ${model.inputs.length}`);
  const out = new Float32Array(pairs.count);
  for (const b of pairBatches(pairs, { batchSize, shuffle: false })) {
    let p: Tensor | undefined;
    try {
      p = model.predict([b.left, b.right], { batchSize: b.size }) as Tensor; // [B, 1]
      out.set(await p.data(), b.start);
    } finally {
      p?.dispose();
      b.left.dispose();
      b.right.dispose();
      b.labels.dispose();
    }
  }
  return out;
}

/**
 * Evaluates a Siamese model on a pair set: accuracy at p ≥ 0.5 (the lab's metric), mean BCE loss and ROC-AUC.
 *
 * @param model - a Siamese model.
 * @param pairs - the labelled pairs.
 * @param options - `batchSize`: pairs per forward pass (default 256).
 * @returns Accuracy at 0.5, loss, ROC-AUC and the pair count.
 *
 * @example
 * ```ts
 * import type { PairSet } from '@prune/mnist-pairs';
 * import { evaluateSiamese } from '@prune/siamese';
 *
 * declare const testPairs: PairSet;
 * const { accuracy, auc } = await evaluateSiamese(model, testPairs);
 * ```
 */
export async function evaluateSiamese(model: LayersModel, pairs: PairSet, options: PredictOptions = {}): Promise<Evaluation> {
  const probabilities = await predictPairs(model, pairs, options);
  return evaluatePredictions(probabilities, pairs.labels);
}
