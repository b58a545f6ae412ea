import type { ChannelStats } from '@prune/activations';
import type { ImportanceCriterion } from './importance';

/** The mean over the group's sources of one per-channel statistic (the source's own value for a single source). */
function overSources(stats: readonly ChannelStats[], pick: (s: ChannelStats) => ArrayLike<number>): Float64Array {
  if (stats.length === 1) return Float64Array.from(pick(stats[0]!));
  const out = new Float64Array(pick(stats[0]!).length);
  for (const s of stats) Array.from(pick(s)).forEach((v, c) => (out[c]! += v / stats.length));
  return out;
}

/**
 * The lab's criterion (the default): the mean of each source's output per channel over every position and every
 * image (every application of a shared layer counts), averaged over the group's coupled sources. Channels that are
 * mostly negative before a ReLU rank lowest.
 */
export function meanActivationImportance(): ImportanceCriterion {
  return { name: 'mean-activation', requires: ['activations'], score: async (ctx) => overSources(await ctx.activationStats(), (s) => s.mean) };
}

/** The mean of |output| per channel over every position and image, averaged over the group's sources. */
export function meanAbsActivationImportance(): ImportanceCriterion {
  return { name: 'mean-abs-activation', requires: ['activations'], score: async (ctx) => overSources(await ctx.activationStats(), (s) => s.meanAbs) };
}

/**
 * APoZ (Hu et al. 2016): a channel whose output is mostly zero after the ReLU matters least. The score is
 * 1 − APoZ (the fraction of positive outputs, as `collectActivationStats` counts APoZ), averaged over the group's
 * sources, so high APoZ ranks first.
 */
export function apozImportance(): ImportanceCriterion {
  return {
    name: 'apoz',
    requires: ['activations'],
    score: async (ctx) => overSources(await ctx.activationStats(), (s) => s.apoz).map((z) => 1 - z),
  };
}
