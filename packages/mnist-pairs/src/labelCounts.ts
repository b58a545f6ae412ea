import { NUM_CLASSES } from './constants';

/**
 * How many times each digit 0 … 9 occurs in a label array.
 *
 * @param labels - digit labels 0 … 9.
 * @returns How many of each digit.
 *
 * @example
 * ```ts
 * import { labelCounts } from '@prune/mnist-pairs';
 *
 * const counts = labelCounts(new Uint8Array([3, 3, 7]));
 * console.log(counts); // Int32Array [0, 0, 0, 2, 0, 0, 0, 1, 0, 0]
 * ```
 */
export function labelCounts(labels: Uint8Array): Int32Array {
  const counts = new Int32Array(NUM_CLASSES);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}
