import { NUM_CLASSES } from './constants';
import { createRng, randomBelow, twoDistinct } from './random';
import type { MnistSplit, PairSet } from './types';

/**
 * The lab's pair generation: floor(numPairs/2) times, a positive pair (a random digit, two distinct random images
 * of it) then a negative pair (two distinct random digits, one random image of each). Balanced 1:1 and seeded.
 *
 * @param split - the images to pair.
 * @param numPairs - pairs to make: half positive, half negative.
 * @param seed - the same seed makes the same pairs.
 *
 * @example
 * ```ts
 * import { makePairs, subsetSplit } from '@prune/mnist-pairs';
 * import { loadMnist } from '@prune/mnist-pairs/node';
 *
 * const test = subsetSplit((await loadMnist()).test, 0.1, 0);
 * const pairs = makePairs(test, 2000, 0); // 1000 same-digit, 1000 different
 * ```
 */
export function makePairs(split: MnistSplit, numPairs: number, seed: number): PairSet {
  if (!Number.isInteger(numPairs) || numPairs < 2) throw new Error(`makePairs: numPairs must be an integer ≥ 2, got ${numPairs}`);
  // Indices of each digit, in split order (the lab's label → indices map).
  const byLabel: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  for (let i = 0; i < split.count; i++) byLabel[split.labels[i]!]!.push(i);
  const digits = byLabel.flatMap((idx, digit) => (idx.length > 0 ? [digit] : []));
  if (digits.length < 2) {
    throw new Error(`makePairs: the split has ${digits.length} distinct digit(s); negative pairs need at least 2`);
  }
  const rng = createRng(seed, 'makePairs: seed');
  const capacity = 2 * Math.floor(numPairs / 2);
  const left = new Int32Array(capacity);
  const right = new Int32Array(capacity);
  const labels = new Uint8Array(capacity);
  let n = 0;
  for (let it = 0; it < capacity / 2; it++) {
    const same = byLabel[digits[randomBelow(rng, digits.length)]!]!;
    // As in the lab, a digit with fewer than two images yields no positive pair; its negative is skipped too,
    // which keeps the set balanced.
    if (same.length < 2) continue;
    const [a, b] = twoDistinct(rng, same.length);
    left[n] = same[a]!;
    right[n] = same[b]!;
    labels[n++] = 1;
    const [d1, d2] = twoDistinct(rng, digits.length);
    const first = byLabel[digits[d1]!]!;
    const second = byLabel[digits[d2]!]!;
    left[n] = first[randomBelow(rng, first.length)]!;
    right[n] = second[randomBelow(rng, second.length)]!;
    labels[n++] = 0;
  }
  return n === capacity
    ? { split, left, right, labels, count: n }
    : { split, left: left.slice(0, n), right: right.slice(0, n), labels: labels.slice(0, n), count: n };
}
