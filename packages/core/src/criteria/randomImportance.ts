import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { ImportanceCriterion } from './importance';

/**
 * Seeded uniform random scores in [0, 1): the control every other criterion should beat.
 *
 * @param options - `seed`: the same seed gives the same scores.
 *
 * @example
 * ```ts
 * import { randomImportance, scoreChannels } from '@prune/core';
 *
 * const control = randomImportance({ seed: 1 });
 * const scores = await scoreChannels(control, { model, layer: 'conv2' });
 * ```
 */
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
