import type { LayersModel } from '@tensorflow/tfjs-layers';
import { rankChannels, scoreChannels, sweepChannels, type EvalData, type ImportanceCriterion } from '@prune/core';

/**
 * A criterion of your own: rank channels by the spread (standard deviation) of their output. A channel whose
 * output barely varies adds almost a constant, which the next layer's bias could absorb.
 */
export function activationStdImportance(): ImportanceCriterion {
  return {
    name: 'activation-std',
    requires: ['activations'], // scoreChannels checks it: stats or data must be given
    async score(context) {
      const stats = await context.activationStats(); // computed once from the data (or the stats you pass)
      return stats.std; // one number per channel, higher = more important
    },
  };
}

/** Scores conv2 with the custom criterion and sweeps K with its order. */
export async function sweepWithCustomCriterion(model: LayersModel, test: EvalData) {
  const scores = await scoreChannels(activationStdImportance(), { model, layer: 'conv2', data: test });
  const order = rankChannels(scores);
  const sweep = await sweepChannels(model, 'conv2', order, test, { ks: [4, 8, 12] });
  return { scores, order, sweep };
}
