import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A seeded pseudo-random generator (pure-rand's xoroshiro128+), advanced in place. */
export type Rng = RandomGenerator;

/** Creates the generator for a seed; the seed must be a safe integer (its high bits are folded in). */
export function createRng(seed: number, what = 'seed'): Rng {
  if (!Number.isSafeInteger(seed)) throw new Error(`${what} must be a safe integer, got ${seed}`);
  return xoroshiro128plus((seed ^ Math.floor(seed / 0x1_0000_0000)) | 0);
}

/** A uniform integer in [0, n). */
export function randomBelow(rng: Rng, n: number): number {
  return uniformInt(rng, 0, n - 1);
}

/** Two distinct uniform integers in [0, n), n ≥ 2, drawn as an ordered sample without replacement. */
export function twoDistinct(rng: Rng, n: number): [number, number] {
  const a = uniformInt(rng, 0, n - 1);
  let b = uniformInt(rng, 0, n - 2);
  if (b >= a) b++;
  return [a, b];
}

/** The first k entries of a seeded Fisher–Yates shuffle of 0 … n−1 (a uniform ordered sample, k ≤ n). */
export function samplePermutation(rng: Rng, n: number, k = n): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < k && i < n - 1; i++) {
    const j = uniformInt(rng, i, n - 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return k === n ? order : order.slice(0, k);
}
