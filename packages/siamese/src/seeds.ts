import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded stream of non-negative 31-bit integers, used to seed tfjs random ops reproducibly. */
export function seedStream(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const rng = xoroshiro128plus(seed);
  return () => rng.next() >>> 1;
}
