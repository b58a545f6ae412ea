/**
 * A quality measure of a model's predictions on an evaluation set, as the sweep reports it for each K.
 * `predictions` is the chosen output for every example, row-major [count, outputSize].
 */
export interface Metric {
  /** A short name for reports, e.g. `accuracy`. */
  name: string;
  /** The metric's value; higher is better (the ablation criterion measures drops of it). */
  compute(predictions: Float32Array, labels: ArrayLike<number> | null, outputSize: number): number;
}

/**
 * Accuracy of a single probability output thresholded at `threshold` (default 0.5: "same" when p ≥ 0.5) against 0/1 labels.
 *
 * @param threshold - a probability at or above it predicts 1 (default 0.5).
 *
 * @example
 * ```ts
 * import { binaryAccuracy } from '@prune/core';
 *
 * const acc = binaryAccuracy().compute(new Float32Array([0.9, 0.2, 0.6]), [1, 0, 0], 1);
 * console.log(acc); // 2 of 3 right: 0.667
 * ```
 */
export function binaryAccuracy(threshold = 0.5): Metric {
  return {
    name: 'accuracy',
    compute(predictions, labels, outputSize) {
      if (outputSize !== 1) throw new Error(`binaryAccuracy: the output has ${outputSize} values per example; it needs 1 (a probability)`);
      const count = predictions.length;
      if (labels === null || labels.length !== count) {
        throw new Error(`binaryAccuracy: needs one 0/1 label per example (${count}), got ${labels === null ? 'none' : labels.length}`);
      }
      let correct = 0;
      for (let i = 0; i < count; i++) if ((predictions[i]! >= threshold ? 1 : 0) === (labels[i]! >= 0.5 ? 1 : 0)) correct++;
      return correct / count;
    },
  };
}

/**
 * Accuracy of the arg-max of a multi-class output against class indices or one-hot rows.
 *
 *
 * @example
 * ```ts
 * import { categoricalAccuracy } from '@prune/core';
 *
 * const probs = new Float32Array([0.1, 0.9, 0.8, 0.2]); // two examples, two classes
 * console.log(categoricalAccuracy().compute(probs, [1, 1], 2)); // 0.5
 * ```
 */
export function categoricalAccuracy(): Metric {
  return {
    name: 'accuracy',
    compute(predictions, labels, outputSize) {
      const count = predictions.length / outputSize;
      if (labels === null || (labels.length !== count && labels.length !== predictions.length)) {
        throw new Error(`categoricalAccuracy: needs a class index or a one-hot row per example (${count}), got ${labels === null ? 'none' : labels.length} values`);
      }
      const oneHot = labels.length === predictions.length && outputSize > 1;
      let correct = 0;
      for (let i = 0; i < count; i++) {
        const predicted = argMax(predictions, i * outputSize, outputSize);
        const actual = oneHot ? argMax(labels, i * outputSize, outputSize) : labels[i]!;
        if (predicted === actual) correct++;
      }
      return correct / count;
    },
  };
}

function argMax(values: ArrayLike<number>, offset: number, size: number): number {
  let best = 0;
  for (let j = 1; j < size; j++) if (values[offset + j]! > values[offset + best]!) best = j;
  return best;
}

/**
 * The default metric for an output of `outputSize` values: binary accuracy at 0.5 for one, categorical accuracy otherwise.
 *
 * @param outputSize - values per example of the model's output (1 for a single probability).
 *
 * @example
 * ```ts
 * import { defaultMetric } from '@prune/core';
 *
 * console.log(defaultMetric(1).name, defaultMetric(10).name);
 * ```
 */
export function defaultMetric(outputSize: number): Metric {
  return outputSize === 1 ? binaryAccuracy() : categoricalAccuracy();
}
