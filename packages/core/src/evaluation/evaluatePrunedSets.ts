import type { LayersModel } from '@tensorflow/tfjs-layers';
import { maskChannels } from '../masks/channelMask';
import { groupOfLayer } from '../graph/channelGroups';
import { createMaskEvaluator } from './createMaskEvaluator';
import type { EvalData } from './evalData';
import type { Metric } from './metrics';
import type { SweepPath } from './sweepTypes';

/** What {@link evaluatePrunedSets} returns: the metric and predictions with each set of channels zeroed. */
export interface PrunedSetsResult {
  /** The layer's canonical path. */
  layer: string;
  /** The metric for each set, in the given order. */
  metrics: number[];
  /** The metric's name. */
  metricName: string;
  /** The chosen output for each set, row-major [count, outputSize]. */
  predictions: Float32Array[];
  /** Values per example of the chosen output (1 for a single probability). */
  outputSize: number;
  /** How the sets were evaluated (see `SweepResult.path`) and why. */
  path: Exclude<SweepPath, 'naive'>;
  /** Why this path was taken (for `upstream`, what kept the faster path out). */
  note: string;
}

/**
 * The model's metric with each given set of a layer group's channels pruned (as `applyChannelMask` and `pruneChannels` give), for arbitrary
 * sets (what-if pruning, ablations), through the same exact fast path as {@link sweepChannels}: a
 * {@link createMaskEvaluator} run over the sets in order, then disposed. An empty set is the unpruned model.
 *
 * @param model - the model; it is not changed.
 * @param layer - the layer (any source of its group).
 * @param data - inputs and labels to evaluate on.
 * @param sets - channel sets to prune, one evaluation each.
 * @param options - `metric`, `output`, `batchSize`.
 *
 * @example
 * ```ts
 * import { evaluatePrunedSets } from '@prune/core';
 *
 * const result = await evaluatePrunedSets(model, 'conv2', data, [[], [0], [0, 1]]);
 * console.log(result.metrics); // the unpruned model, then channel 0, then 0 and 1 pruned
 * ```
 */
export async function evaluatePrunedSets(
  model: LayersModel,
  layer: string,
  data: EvalData,
  sets: ReadonlyArray<Iterable<number>>,
  options: { metric?: Metric; output?: number; batchSize?: number } = {},
): Promise<PrunedSetsResult> {
  const { path, group } = groupOfLayer(model, layer);
  const channels = group.channels;
  const checked = sets.map((s) => maskChannels(path, channels, s).pruned);
  if (checked.length === 0) throw new Error(`evaluatePrunedSets: no channel sets given for layer '${path}'`);
  const evaluator = await createMaskEvaluator(model, layer, data, options);
  try {
    const results = checked.map((set) => evaluator.evaluate(set));
    return {
      layer: evaluator.layer,
      metrics: results.map((r) => r.metric),
      metricName: evaluator.metricName,
      predictions: results.map((r) => r.predictions),
      outputSize: evaluator.outputSize,
      path: evaluator.path,
      note: evaluator.note,
    };
  } finally {
    evaluator.dispose();
  }
}
