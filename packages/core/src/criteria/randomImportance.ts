import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { ImportanceCriterion } from './importance';

/** Seeded uniform random scores in [0, 1): the control every other criterion should beat. */
export function randomImportance(options: { seed: number }): ImportanceCriterion {
  const { seed } = options;
  if (!Number.isInteger(seed)) throw new Error(`randomImportance: seed must be an integer, got ${seed}`);
  return {
    name: `random(seed=${seed})`,
    requires: [],
    score(ctx) {
      const rng = xoroshiro128plus(seed);
      return Float64Array.from({ length: ctx.channels }, () => uniformFloat64(rng));
    },
  };
}
