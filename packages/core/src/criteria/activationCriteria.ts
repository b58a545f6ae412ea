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
 *
 *
 * @example
 * ```ts
 * import { meanActivationImportance, scoreChannels } from '@prune/core';
 *
 * const criterion = meanActivationImportance(); // the lab's criterion
 * const scores = await scoreChannels(criterion, { model, layer: 'conv2', data });
 * ```
 */
export function meanActivationImportance(): ImportanceCriterion {
  return { name: 'mean-activation', requires: ['activations'], score: async (ctx) => overSources(await ctx.activationStats(), (s) => s.mean) };
}

/**
 * The mean of |output| per channel over every position and image, averaged over the group's sources.
 *
 *
 * @example
 * ```ts
 * import { meanAbsActivationImportance, pruneModel } from '@prune/core';
 *
 * const criterion = meanAbsActivationImportance();
 * const { model: pruned } = await pruneModel(model, { ratio: 0.3, criterion, data });
 * ```
 */
export function meanAbsActivationImportance(): ImportanceCriterion {
  return { name: 'mean-abs-activation', requires: ['activations'], score: async (ctx) => overSources(await ctx.activationStats(), (s) => s.meanAbs) };
}

/**
 * APoZ (Hu et al. 2016): a channel whose output is mostly zero after the ReLU matters least. The score is
 * 1 − APoZ (the fraction of positive outputs, as `collectActivationStats` counts APoZ), averaged over the group's
 * sources, so high APoZ ranks first.
 *
 *
 * @example
 * ```ts
 * import { apozImportance, scoreChannels } from '@prune/core';
 *
 * // 1 − the share of outputs ≤ 0: channels that are almost always off score near 0.
 * const scores = await scoreChannels(apozImportance(), { model, layer: 'conv2', data });
 * ```
 */
export function apozImportance(): ImportanceCriterion {
  return {
    name: 'apoz',
    requires: ['activations'],
    score: async (ctx) => overSources(await ctx.activationStats(), (s) => s.apoz).map((z) => 1 - z),
  };
}
