import { rocAuc } from './rocAuc';

/** The lab's metrics of a model on a pair set. */
export interface Evaluation {
  /** Share of pairs predicted right, "same" when p ≥ 0.5 (the lab's metric). */
  accuracy: number;
  /** Mean binary cross-entropy, p clipped to [1e-7, 1 − 1e-7] as tfjs does in training. */
  loss: number;
  /** ROC-AUC of p against the labels (NaN when only one class is present). */
  auc: number;
  /** Number of pairs. */
  count: number;
}

/** Clipping of p in the loss, tfjs-layers' epsilon. */
const EPSILON = 1e-7;

/**
 * Scores probabilities `p` of "same digit" against 0/1 labels: accuracy at p ≥ 0.5, mean BCE and ROC-AUC.
 *
 * @param probabilities - one probability of "same" per pair.
 * @param labels - 1 (same digit) or 0 per pair.
 *
 * @example
 * ```ts
 * import { evaluatePredictions } from '@prune/siamese';
 *
 * const e = evaluatePredictions([0.9, 0.2, 0.6], [1, 0, 0]);
 * console.log(e.accuracy, e.auc); // 2 of 3 right; AUC 1 (every same pair scores higher)
 * ```
 */
export function evaluatePredictions(probabilities: ArrayLike<number>, labels: ArrayLike<number>): Evaluation {
  const count = probabilities.length;
  if (labels.length !== count) throw new Error(`evaluatePredictions: ${count} probabilities but ${labels.length} labels`);
  if (count === 0) throw new Error('evaluatePredictions: no pairs to evaluate');
  let correct = 0;
  let lossSum = 0;
  for (let i = 0; i < count; i++) {
    const p = probabilities[i] as number;
    const y = labels[i] as number;
    if (y !== 0 && y !== 1) throw new Error(`evaluatePredictions: labels[${i}] is ${y}, expected 0 or 1`);
    if ((p >= 0.5 ? 1 : 0) === y) correct++;
    const q = Math.min(Math.max(p, EPSILON), 1 - EPSILON);
    lossSum -= y === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return { accuracy: correct / count, loss: lossSum / count, auc: rocAuc(probabilities, labels), count };
}
