/**
 * A seeded stream of 31-bit non-negative integers (mulberry32), used to seed tfjs initialisers and the zoo's own
 * weight draws: the same seed gives the same stream on every backend.
 */
export function seedStream(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`seedStream: seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) >>> 1;
  };
}

/** A seeded stream of floats uniform in [min, max), built on {@link seedStream}. */
export function uniformStream(seed: number, min: number, max: number): () => number {
  const next = seedStream(seed);
  return () => min + ((max - min) * next()) / 0x80000000;
}
