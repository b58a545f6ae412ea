import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkBatchSize, inputList, labelArray, type EvalData } from './evalData';
import { defaultMetric, type Metric } from './metrics';
import { predictOutput } from './naiveSweep';

/**
 * A model's metric on data (default: binary accuracy for one output value, arg-max accuracy otherwise, as the
 * sweeps measure it): e.g. the accuracy of a pruned, fine-tuned or quantized model next to the original's.
 *
 * @param model - the model.
 * @param data - inputs and labels.
 * @param options - `metric`, `output` (default 0), `batchSize` (default 500).
 *
 * @example
 * ```ts
 * import { evaluateModel } from '@prune/core';
 *
 * console.log(evaluateModel(model, data), evaluateModel(pruned, data)); // before, after
 * ```
 */
export function evaluateModel(model: LayersModel, data: EvalData, options: { metric?: Metric; output?: number; batchSize?: number } = {}): number {
  const inputs = inputList(model, data, 'evaluateModel');
  const batchSize = checkBatchSize(options.batchSize, 500, 'evaluateModel');
  const { values, outputSize } = predictOutput(model, inputs, options.output ?? 0, batchSize);
  const labels = labelArray(data, inputs[0]!.shape[0]!, 'evaluateModel');
  return (options.metric ?? defaultMetric(outputSize)).compute(values, labels, outputSize);
}
