import type * as tf from '@tensorflow/tfjs-core';
import { evaluateChannelSets } from '../evaluation/evaluateChannelSets';
import { planMasks } from '../evaluation/maskPlan';
import { defaultMetric, type Metric } from '../evaluation/metrics';
import type { ImportanceCriterion } from './importance';

/** Options of {@link ablationImportance}. */
export interface AblationOptions {
  /** What to measure (default: binary accuracy at 0.5 for one output value, arg-max accuracy otherwise). */
  metric?: Metric;
  /** Which model output the metric reads (default 0). */
  output?: number;
}

/**
 * The oracle: each channel's score is the metric's drop when that channel of the whole group alone is pruned
 * (baseline − metric), so a channel whose removal costs nothing scores 0. Computed through the exact evaluation
 * path of the sweep (the group's upstream once, one channel subtracted per evaluation), so it costs about one
 * evaluation plus P small tails. Needs data and, for the default metric, labels.
 *
 * @param options - `metric` to measure and `output` to read (defaults: accuracy of output 0).
 *
 * @example
 * ```ts
 * import { ablationImportance, scoreChannels } from '@prune/core';
 *
 * // Each channel's score: the accuracy lost when it alone is pruned.
 * const drops = await scoreChannels(ablationImportance(), { model, layer: 'conv2', data });
 * ```
 */
export function ablationImportance(options: AblationOptions = {}): ImportanceCriterion {
  return {
    name: 'ablation',
    requires: options.metric ? ['data'] : ['data', 'labels'],
    async score(ctx) {
      const plan = planMasks(ctx.model, ctx.layer, options.output ?? 0);
      const inputs = Array.isArray(ctx.data!.inputs) ? [...(ctx.data!.inputs as readonly tf.Tensor[])] : [ctx.data!.inputs as tf.Tensor];
      const sets = [[], ...Array.from({ length: plan.channels }, (_, c) => [c])];
      const { predictions, outputSize } = await evaluateChannelSets(plan, inputs, sets, { batchSize: ctx.batchSize });
      const metric = options.metric ?? defaultMetric(outputSize);
      const baseline = metric.compute(predictions[0]!, ctx.labels, outputSize);
      return predictions.slice(1).map((p) => baseline - metric.compute(p, ctx.labels, outputSize));
    },
  };
}
