import { tensor1d, tensor4d } from '@tensorflow/tfjs-core';
import { IMAGE_SIZE } from './constants';
import { pairImages } from './pairImages';
import { createRng, samplePermutation } from './random';
import type { PairBatch, PairSet } from './types';

/** Options of {@link pairBatches}. */
export interface PairBatchOptions {
  /** Pairs per batch (the last batch may be smaller unless dropLast). */
  batchSize: number;
  /** Visit pairs in a seeded random order (the lab shuffles training pairs, not test pairs). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0); pass a different one per epoch. */
  seed?: number;
  /** Drop a final batch smaller than batchSize. */
  dropLast?: boolean;
}

/**
 * Yields batches of pairs as tensors: left and right [B, 28, 28, 1] and float32 labels [B].
 * Tensors are created only when a batch is yielded; the caller disposes every batch it receives.
 *
 * @param pairs - the pairs.
 * @param options - `batchSize`, `shuffle`, `seed` (per epoch), `dropLast`.
 *
 * @example
 * ```ts
 * import { pairBatches, type PairSet } from '@prune/mnist-pairs';
 *
 * declare const pairs: PairSet;
 * for (const batch of pairBatches(pairs, { batchSize: 64, shuffle: true, seed: 1 })) {
 *   // batch.left, batch.right: [B, 28, 28, 1]; batch.labels: [B]
 *   batch.left.dispose(); batch.right.dispose(); batch.labels.dispose();
 * }
 * ```
 */
export function* pairBatches(pairs: PairSet, options: PairBatchOptions): Generator<PairBatch, void, undefined> {
  const { batchSize, shuffle = false, seed = 0, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`pairBatches: batchSize must be a positive integer, got ${batchSize}`);
  const order = shuffle ? samplePermutation(createRng(seed, 'pairBatches: seed'), pairs.count) : undefined;
  for (let start = 0; start < pairs.count; start += batchSize) {
    const end = Math.min(start + batchSize, pairs.count);
    const size = end - start;
    if (dropLast && size < batchSize) return;
    const { left, right } = pairImages(pairs, start, end, order);
    const labels = new Float32Array(size);
    for (let i = 0; i < size; i++) labels[i] = pairs.labels[order === undefined ? start + i : order[start + i]!]!;
    yield {
      left: tensor4d(left, [size, IMAGE_SIZE, IMAGE_SIZE, 1]), // [B, 28, 28, 1]
      right: tensor4d(right, [size, IMAGE_SIZE, IMAGE_SIZE, 1]), // [B, 28, 28, 1]
      labels: tensor1d(labels), // [B]
      size,
      start,
    };
  }
}
