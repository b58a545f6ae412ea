import type { MaskEvaluator } from './createMaskEvaluator';

/** Options of {@link greedyOracle}. */
export interface GreedyOracleOptions {
  /**
   * Breaks ties of the metric (accuracy moves in steps of one example): a second score of the predictions,
   * higher is better, e.g. minus the log loss. Without it the lowest channel index wins a tie.
   */
  tieBreak?: (predictions: Float32Array) => number;
}

/** What {@link greedyOracle} returns. */
export interface GreedyOracleResult {
  /** Channels in the order the greedy search removed them (a permutation of 0 … P-1; the last is the one kept). */
  order: number[];
  /** The metric with the first K of `order` pruned, for K = 0 … P-1. */
  metrics: number[];
  /** Masks evaluated. */
  evaluations: number;
}

/**
 * A greedy oracle on the evaluator's own examples: at each K, try pruning each remaining channel, keep the one
 * whose removal hurts the metric least, repeat. It sees the evaluation data, so it is an upper reference that a
 * ranking criterion could hope to reach (not a bound: a greedy path is not the best set at every K). Costs
 * P(P+1)/2 - 1 evaluations, each the mask evaluator's exact fast step.
 *
 * @param evaluator - a prepared mask evaluator of the layer (its data are what the oracle sees).
 * @param options - `tieBreak`: a second score of the predictions for ties of the metric.
 * @returns The removal order, the metric at each K and the number of masks evaluated.
 *
 * @example
 * ```ts
 * import { createMaskEvaluator, greedyOracle } from '@prune/core';
 *
 * const evaluator = await createMaskEvaluator(model, 'conv2', data);
 * const { order, metrics } = greedyOracle(evaluator);
 * evaluator.dispose();
 * ```
 */
export function greedyOracle(evaluator: MaskEvaluator, options: GreedyOracleOptions = {}): GreedyOracleResult {
  const p = evaluator.channels;
  const removed: number[] = [];
  const remaining = new Set(Array.from({ length: p }, (_, c) => c));
  const metrics = [evaluator.baseline];
  let evaluations = 0;
  for (let k = 1; k < p; k++) {
    let best = -1;
    let bestMetric = -Infinity;
    let bestTie = -Infinity;
    for (const c of remaining) {
      const { metric, predictions } = evaluator.evaluate([...removed, c]);
      evaluations++;
      if (metric < bestMetric) continue;
      const tie = options.tieBreak ? options.tieBreak(predictions) : 0;
      if (metric > bestMetric || tie > bestTie) {
        best = c;
        bestMetric = metric;
        bestTie = tie;
      }
    }
    removed.push(best);
    remaining.delete(best);
    metrics.push(bestMetric);
  }
  return { order: [...removed, ...remaining], metrics, evaluations };
}
