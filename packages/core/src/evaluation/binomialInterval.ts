/** A two-sided confidence interval for a proportion. */
export interface ProportionInterval {
  lower: number;
  upper: number;
}

/**
 * The Wilson score interval for `correct` successes out of `count` trials (default 95%, z = 1.96): the
 * uncertainty of an accuracy measured on `count` examples. Unlike the normal (Wald) interval it stays inside
 * [0, 1] and keeps its coverage near 0 and 1, where pruning curves start (accuracy ≈ 0.97).
 *
 * @param correct - examples right.
 * @param count - examples in all.
 * @param z - the normal quantile of the confidence (1.96: 95%).
 * @returns The interval's lower and upper ends.
 *
 * @example
 * ```ts
 * import { wilsonInterval } from '@prune/core';
 *
 * // accuracy 0.96 on 2000 pairs: about ± 0.0086
 * const { lower, upper } = wilsonInterval(1920, 2000);
 * ```
 */
export function wilsonInterval(correct: number, count: number, z = 1.96): ProportionInterval {
  if (!Number.isInteger(count) || count <= 0) throw new Error(`wilsonInterval: count must be a positive integer, got ${count}`);
  if (!(correct >= 0 && correct <= count)) throw new Error(`wilsonInterval: correct must be in 0 … ${count}, got ${correct}`);
  if (!(z > 0)) throw new Error(`wilsonInterval: z must be > 0, got ${z}`);
  const p = correct / count;
  const z2 = z * z;
  const centre = (p + z2 / (2 * count)) / (1 + z2 / count);
  const half = (z * Math.sqrt((p * (1 - p)) / count + z2 / (4 * count * count))) / (1 + z2 / count);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * {@link wilsonInterval} of each accuracy in `accuracy`, each measured on the same `count` examples.
 *
 * @param accuracy - accuracies (fractions of `count`), e.g. a sweep's K = 0 … P-1.
 * @param count - examples each was measured on.
 * @param z - the normal quantile of the confidence (1.96: 95%).
 * @returns The lower and upper ends, one per accuracy.
 *
 * @example
 * ```ts
 * import { accuracyIntervals } from '@prune/core';
 *
 * const { lower, upper } = accuracyIntervals([0.976, 0.9755, 0.974], 2000);
 * ```
 */
export function accuracyIntervals(accuracy: readonly number[], count: number, z = 1.96): { lower: number[]; upper: number[] } {
  const intervals = accuracy.map((a) => wilsonInterval(Math.round(a * count), count, z));
  return { lower: intervals.map((i) => i.lower), upper: intervals.map((i) => i.upper) };
}
