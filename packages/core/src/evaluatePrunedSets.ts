import type { LayersModel } from '@tensorflow/tfjs-layers';
import { maskChannels } from './channelMask';
import { checkBatchSize, inputList, labelArray, type EvalData } from './evalData';
import { evaluateChannelSets } from './evaluateChannelSets';
import { defaultMetric, type Metric } from './metrics';
import { planSweep } from './sweepPlan';
import type { SweepPath } from './sweepTypes';

/** What {@link evaluatePrunedSets} returns: the metric and predictions with each set of channels zeroed. */
export interface PrunedSetsResult {
  /** The layer's canonical path. */
  layer: string;
  /** The metric for each set, in the given order. */
  metrics: number[];
  metricName: string;
  /** The chosen output for each set, row-major [count, outputSize]. */
  predictions: Float32Array[];
  outputSize: number;
  /** How the sets were evaluated (see `SweepResult.path`) and why. */
  path: Exclude<SweepPath, 'naive'>;
  note: string;
}

/**
 * The model's metric with each given set of a layer's channels zeroed (as `applyChannelMask` would), for arbitrary
 * sets (what-if pruning, ablations), through the same exact fast path as {@link sweepChannels}. An empty set is the
 * unpruned model.
 */
export async function evaluatePrunedSets(
  model: LayersModel,
  layer: string,
  data: EvalData,
  sets: ReadonlyArray<Iterable<number>>,
  options: { metric?: Metric; output?: number; batchSize?: number } = {},
): Promise<PrunedSetsResult> {
  const plan = planSweep(model, layer, options.output ?? 0);
  const checked = sets.map((s) => maskChannels(plan.layerPath, plan.layout.channels, s).pruned);
  if (checked.length === 0) throw new Error(`evaluatePrunedSets: no channel sets given for layer '${plan.layerPath}'`);
  const inputs = inputList(model, data, 'evaluatePrunedSets');
  const labels = labelArray(data, inputs[0]!.shape[0]!, 'evaluatePrunedSets');
  const batchSize = checkBatchSize(options.batchSize, 500, 'evaluatePrunedSets');
  const { predictions, outputSize } = await evaluateChannelSets(plan, inputs, checked, { batchSize });
  const metric = options.metric ?? defaultMetric(outputSize);
  return {
    layer: plan.layerPath,
    metrics: predictions.map((p) => metric.compute(p, labels, outputSize)),
    metricName: metric.name,
    predictions,
    outputSize,
    path: plan.path,
    note: plan.note,
  };
}
