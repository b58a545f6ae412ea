import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  rankChannels,
  scoreChannels,
  sweepChannels,
  type EvalData,
  type ImportanceCriterion,
} from '@prune/core';

/**
 * A criterion of your own: rank channels by the spread (standard deviation) of their
 * output. A channel whose
 * output barely varies adds almost a constant, which the next layer's bias could absorb.
 */
export function activationStdImportance(): ImportanceCriterion {
  return {
    name: 'activation-std',
    requires: ['activations'], // scoreChannels checks it: stats or data must be given
    async score(context) {
      // One ChannelStats per source of the layer's pruning group (one here; two for
      // convs joined by an Add),
      // computed once from the data (or the stats you pass).
      const perSource = await context.activationStats();
      // one number per channel, higher = more important
      const scores = new Float64Array(context.channels);
      for (const stats of perSource)
        stats.std.forEach((s, c) => (scores[c]! += s / perSource.length));
      return scores;
    },
  };
}

/**
 * A weight-only criterion: the largest |bias| of each channel over the group's sources.
 * Criteria read weights
 * through `context.group.sources`, each with its layer instance.
 */
export function biasMagnitudeImportance(): ImportanceCriterion {
  return {
    name: 'bias-magnitude',
    requires: [],
    score(context) {
      const scores = new Float64Array(context.channels);
      for (const source of context.group.sources) {
        // [kernel, bias] for Conv2D and Dense
        const bias = source.layer.getWeights()[1]!.dataSync();
        bias.forEach((b, c) => (scores[c] = Math.max(scores[c]!, Math.abs(b))));
      }
      return scores;
    },
  };
}

/** Scores conv2 with the custom criterion and sweeps K with its order. */
export async function sweepWithCustomCriterion(model: LayersModel, test: EvalData) {
  const scores = await scoreChannels(activationStdImportance(), {
    model,
    layer: 'conv2',
    data: test,
  });
  const order = rankChannels(scores);
  const sweep = await sweepChannels(model, 'conv2', order, test, { ks: [4, 8, 12] });
  return { scores, order, sweep };
}
