import { IMAGE_PIXELS } from './constants';
import type { PairSet } from './types';

/**
 * Gathers the pixels of pairs [start, end) into two [n, 28, 28, 1] arrays; with `order`, position i means
 * pair order[i] (how shuffled batches are gathered).
 *
 * @param pairs - the pairs.
 * @param start - first pair (default 0).
 * @param end - one past the last pair (default: all).
 * @param order - a permutation of the pairs to read through (shuffled batches).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { pairImages, type PairSet } from '@prune/mnist-pairs';
 *
 * declare const pairs: PairSet;
 * const { left, right } = pairImages(pairs, 0, 64);
 * const x = [tf.tensor4d(left, [64, 28, 28, 1]), tf.tensor4d(right, [64, 28, 28, 1])];
 * ```
 */
export function pairImages(
  pairs: PairSet,
  start = 0,
  end = pairs.count,
  order?: Int32Array,
): {
  /** Normalised pixels of each pair's left image, row-major [n, 28, 28, 1]. */
  left: Float32Array;
  /** Normalised pixels of each pair's right image, row-major [n, 28, 28, 1]. */
  right: Float32Array;
} {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= pairs.count)) {
    throw new Error(`pairImages: range [${start}, ${end}) is not within the ${pairs.count} pairs`);
  }
  const n = end - start;
  const left = new Float32Array(n * IMAGE_PIXELS);
  const right = new Float32Array(n * IMAGE_PIXELS);
  const images = pairs.split.images;
  for (let i = 0; i < n; i++) {
    const p = order === undefined ? start + i : order[start + i]!;
    const l = pairs.left[p]!;
    const r = pairs.right[p]!;
    left.set(images.subarray(l * IMAGE_PIXELS, (l + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    right.set(images.subarray(r * IMAGE_PIXELS, (r + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
  }
  return { left, right };
}
