import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskWeakest } from '../masks/channelMask';
import { groupOfLayer } from '../graph/channelGroups';
import type { EvalData } from './evalData';
import { defaultMetric } from './metrics';
import { checkSweep, type SweepOptions, type SweepPoint, type SweepResult } from './sweepTypes';

/** One output of a model on every example, as a flat array [count, outputSize] with its row size. */
export function predictOutput(model: LayersModel, inputs: tf.Tensor[], output: number, batchSize: number): { values: Float32Array; outputSize: number } {
  if (!Number.isInteger(output) || output < 0 || output >= model.outputs.length) {
    throw new Error(`output ${output} is not an output of model '${model.name}' (it has ${model.outputs.length})`);
  }
  const result = model.predict(inputs.length === 1 ? inputs[0]! : inputs, { batchSize });
  const outputs = Array.isArray(result) ? result : [result];
  const chosen = outputs[output]!;
  const values = chosen.dataSync() as Float32Array;
  const outputSize = chosen.size / chosen.shape[0]!;
  tf.dispose(outputs);
  return { values: Float32Array.from(values), outputSize };
}

/**
 * The lab's sweep, kept as the reference: for each K, a copy of the whole model with the K weakest channels of the
 * layer's group masked ({@link applyChannelMask}), evaluated on every example. Costs one full evaluation (and one
 * copy) per K.
 *
 * @param model - the model; it is not changed.
 * @param layer - the layer (any source of its group) to prune.
 * @param order - channel indices, weakest first.
 * @param data - inputs and labels to evaluate on.
 * @param options - `ks`, `metric`, `output`, `batchSize`, `keepPredictions`.
 *
 * @example
 * ```ts
 * import { l1NormImportance, naiveSweep, rankChannels, scoreChannels } from '@prune/core';
 *
 * const scores = await scoreChannels(l1NormImportance(), { model, layer: 'conv2' });
 * const order = rankChannels(scores);
 * const slow = await naiveSweep(model, 'conv2', order, data, { ks: [4, 8] });
 * ```
 */
export async function naiveSweep(
  model: LayersModel,
  layer: string,
  order: ArrayLike<number>,
  data: EvalData,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const started = performance.now();
  const { path, group } = groupOfLayer(model, layer);
  const { ks, inputs, labels, batchSize } = checkSweep(model, path, group.channels, order, data, options, 'naiveSweep');
  const output = options.output ?? 0;

  const base = predictOutput(model, inputs, output, batchSize);
  const metric = options.metric ?? defaultMetric(base.outputSize);
  const baseline = metric.compute(base.values, labels, base.outputSize);
  const steps = ks.length + 1;
  options.onProgress?.({ k: 0, step: 1, steps, metric: baseline });
  const points: SweepPoint[] = [];
  const predictions: Float32Array[] = [];
  for (const [i, k] of ks.entries()) {
    const copy = await applyChannelMask(model, maskWeakest(layer, order, k));
    let values: Float32Array;
    try {
      values = predictOutput(copy, inputs, output, batchSize).values;
    } finally {
      copy.dispose();
    }
    const value = metric.compute(values, labels, base.outputSize);
    points.push({ k, metric: value });
    if (options.keepPredictions) predictions.push(values);
    options.onProgress?.({ k, step: i + 2, steps, metric: value });
  }
  return {
    layer: path,
    channels: group.channels,
    order: Int32Array.from(order),
    metricName: metric.name,
    baseline,
    points,
    path: 'naive',
    note: 'a masked copy of the whole model evaluated for each K',
    ...(options.keepPredictions ? { baselinePredictions: base.values, predictions } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
