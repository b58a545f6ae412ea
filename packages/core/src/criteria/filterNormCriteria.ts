import { channelLayout, filterNorms } from '../masks/channelWeights';
import type { ImportanceCriterion } from './importance';

/** The L1 norm of each channel's filter (its kernel slice, no bias; Li et al. 2017); needs weights only. */
export function l1NormImportance(): ImportanceCriterion {
  return { name: 'l1-norm', requires: [], score: (ctx) => filterNorms(ctx.layer, channelLayout(ctx.layer, ctx.layerPath), 1) };
}

/** The L2 norm of each channel's filter (its kernel slice, no bias); needs weights only. */
export function l2NormImportance(): ImportanceCriterion {
  return { name: 'l2-norm', requires: [], score: (ctx) => filterNorms(ctx.layer, channelLayout(ctx.layer, ctx.layerPath), 2) };
}
