import type { ImportanceCriterion } from './importance';

/**
 * The lab's criterion (the default): the mean of the layer's output per channel over every position and every image
 * (every application of a shared layer counts). Channels that are mostly negative before a ReLU rank lowest.
 */
export function meanActivationImportance(): ImportanceCriterion {
  return { name: 'mean-activation', requires: ['activations'], score: async (ctx) => (await ctx.activationStats()).mean };
}

/** The mean of |output| per channel over every position and image: small means the channel carries little signal. */
export function meanAbsActivationImportance(): ImportanceCriterion {
  return { name: 'mean-abs-activation', requires: ['activations'], score: async (ctx) => (await ctx.activationStats()).meanAbs };
}

/**
 * APoZ (Hu et al. 2016): a channel whose output is mostly zero after the ReLU matters least. The score is
 * 1 − APoZ (the fraction of positive outputs, as `collectActivationStats` counts APoZ), so high APoZ ranks first.
 */
export function apozImportance(): ImportanceCriterion {
  return { name: 'apoz', requires: ['activations'], score: async (ctx) => (await ctx.activationStats()).apoz.map((z: number) => 1 - z) };
}
