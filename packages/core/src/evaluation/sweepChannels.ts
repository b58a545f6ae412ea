import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EvalData } from './evalData';
import { evaluateChannelSets } from './evaluateChannelSets';
import { defaultMetric } from './metrics';
import { planMasks } from './maskPlan';
import { checkSweep, type SweepOptions, type SweepPoint, type SweepResult } from './sweepTypes';

/** Options of {@link sweepChannels}: those of every sweep, plus a way to force the slower exact path. */
export interface FastSweepOptions extends SweepOptions {
  /** `auto` (default) takes the linear-consumer fast path where it applies; `upstream` always runs everything after the layer. */
  path?: 'auto' | 'upstream';
}

/**
 * The metric with the K weakest channels of a layer's pruning group pruned, for K = 1 … P-1 (or `options.ks`),
 * exactly as {@link naiveSweep} and the pruned model compute it, but without copying the model: everything upstream
 * of the group's consumers is computed once per batch (pruning changes nothing there); when every consumer is a
 * Dense or Conv whose input does not depend on another consumer, its pre-activation is updated by subtracting one
 * channel's contribution per K and only the layers after it run per K. Otherwise (e.g. a residual chain, where a
 * consumer's input depends on another consumer) the consumers run on masked inputs, and everything after them, per
 * K; `result.path` and `result.note` say which. Works through nested models, BatchNormalization, Add, Concatenate,
 * depthwise convolutions and on every application of a shared layer.
 *
 * @param model - the model; it is not changed.
 * @param layer - the layer (any source of its group) to prune.
 * @param order - channel indices, weakest first (`rankChannels`).
 * @param data - inputs and labels to evaluate on.
 * @param options - `ks` (default 1 … P-1), `metric`, `output`, `batchSize`, `keepPredictions`, `onProgress`.
 * @returns The metric per K, the unpruned baseline, and which path computed them.
 *
 * @example
 * ```ts
 * import { l1NormImportance, rankChannels, scoreChannels } from '@prune/core';
 * import { sweepChannels } from '@prune/core';
 *
 * const scores = await scoreChannels(l1NormImportance(), { model, layer: 'conv2' });
 * const order = rankChannels(scores);
 * const sweep = await sweepChannels(model, 'conv2', order, data);
 * for (const p of sweep.points) console.log(`K=${p.k} accuracy ${p.metric.toFixed(4)}`);
 * ```
 */
export async function sweepChannels(
  model: LayersModel,
  layer: string,
  order: ArrayLike<number>,
  data: EvalData,
  options: FastSweepOptions = {},
): Promise<SweepResult> {
  const started = performance.now();
  const plan = planMasks(model, layer, options.output ?? 0);
  if (options.path === 'upstream' && plan.path !== 'upstream') {
    plan.path = 'upstream';
    plan.note = `upstream of the group's consumers computed once; the consumers run on masked inputs, and everything after them, for each K (requested)`;
  }
  const channels = plan.channels;
  const { ks, inputs, labels, batchSize } = checkSweep(model, plan.layer, channels, order, data, options, 'sweepChannels');
  const count = inputs[0]!.shape[0]!;
  // Largest K first: the first set starts from the bias plus the few kept channels, and each next K adds one
  // channel back, so the whole sweep costs about one consumer pass. kAt[i] is the K of evaluated set i.
  const kAt = ks.filter((k) => k > 0).reverse().concat(0);
  const sets = kAt.map((k) => Array.from({ length: k }, (_, i) => order[i]!));
  const steps = sets.length * Math.ceil(count / batchSize);
  let step = 0;
  let metric = options.metric;
  const metricAt = new Map<number, number>();
  const { predictions, outputSize } = await evaluateChannelSets(plan, inputs, sets, {
    batchSize,
    onStep: (s, b, batches, values, outputSize) => {
      step++;
      const k = kAt[s]!;
      if (b === batches - 1) {
        metric ??= defaultMetric(outputSize);
        metricAt.set(k, metric.compute(values, labels, outputSize));
        options.onProgress?.({ k, step, steps, metric: metricAt.get(k)! });
      } else {
        options.onProgress?.({ k, step, steps });
      }
    },
  });
  const predictionsAt = new Map(kAt.map((k, i) => [k, predictions[i]!]));
  metric ??= defaultMetric(outputSize);
  const points: SweepPoint[] = ks.map((k) => ({ k, metric: metricAt.get(k)! }));
  return {
    layer: plan.layer,
    channels,
    order: Int32Array.from(order),
    metricName: metric.name,
    baseline: metricAt.get(0)!,
    points,
    path: plan.path,
    note: plan.note,
    ...(options.keepPredictions ? { baselinePredictions: predictionsAt.get(0)!, predictions: ks.map((k) => predictionsAt.get(k)!) } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
