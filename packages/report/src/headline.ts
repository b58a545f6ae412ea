import type { CostRecord, Results } from './resultsSchema.js';

/** A before → after pair of one cost. */
export interface CostChange {
  before: number;
  after: number;
  /** Fraction saved, (before - after) / before. */
  saved: number;
}

/** The report's one-line answer: at a chosen K, what pruning saves and what it costs in accuracy. */
export interface Headline {
  /** The curve's legend name. */
  curve: string;
  k: number;
  channels: number;
  /** Accuracy of the unpruned model (K = 0) and at K, mean over seeds. */
  baseline: number;
  accuracy: number;
  /** baseline - accuracy (negative when pruning helped). */
  lost: number;
  params: CostChange | null;
  macs: CostChange | null;
  /** Median latency of one batch; null when K was not timed. */
  latencyMs: CostChange | null;
  /** How K was chosen, in words. */
  rule: string;
}

/** Options of {@link chooseHeadline}. */
export interface HeadlineOptions {
  /** The curve (its summary label); default the first asked-for criterion. */
  curve?: string;
  /** The K; default the largest K whose accuracy is within `tolerance` of the unpruned accuracy. */
  k?: number;
  /** Accuracy the default K may lose (default 0.01, one point). */
  tolerance?: number;
}

const change = (costs: readonly CostRecord[], k: number, key: 'params' | 'macs' | 'latencyMs'): CostChange | null => {
  const before = costs.find((c) => c.k === 0)?.[key];
  const after = costs.find((c) => c.k === k)?.[key];
  if (before === undefined || before === null || after === undefined || after === null || before === 0) return null;
  return { before, after, saved: (before - after) / before };
};

/**
 * The headline's default K: the largest K whose accuracy is within `tolerance` of the unpruned one (`accuracy[0]`).
 *
 * @param accuracy - accuracy at K = 0 … C-1 channels removed.
 * @param tolerance - accuracy the K may lose (default 0.01, one point).
 * @returns The K (0 when every K loses more).
 *
 * @example
 * ```ts
 * import { headlineK } from '@prune/report';
 *
 * headlineK([0.976, 0.975, 0.97, 0.95]); // 2
 * ```
 */
export function headlineK(accuracy: readonly number[], tolerance = 0.01): number {
  const baseline = accuracy[0] as number;
  let k = 0;
  accuracy.forEach((a, i) => {
    if (a >= baseline - tolerance - 1e-12) k = i;
  });
  return k;
}

/**
 * The headline of a run, the one line a report leads with: for one curve and K (by default the largest K within
 * one point of the unpruned accuracy, {@link headlineK}), the parameters, MACs and latency saved and the accuracy
 * lost. Null when the run has no such curve; an error when `options.k` is outside 0 … C-1.
 *
 * @param results - a run's results ({@link parseResults}).
 * @param options - `curve` (a summary label), `k`, and the `tolerance` the default K may lose.
 * @returns The headline, or null.
 *
 * @example
 * ```ts
 * import { chooseHeadline } from '@prune/report';
 *
 * const h = chooseHeadline(results);
 * if (h && h.params) {
 *   const saved = (h.params.saved * 100).toFixed(1);
 *   console.log(`K = ${h.k}: ${saved}% fewer params, accuracy ${h.accuracy.toFixed(3)}`);
 *   // the lab's default run: 'K = 5: 14.7% fewer params, accuracy 0.967'
 * }
 * const atEight = chooseHeadline(results, { curve: 'l1', k: 8 });
 * ```
 */
export function chooseHeadline(results: Results, options: HeadlineOptions = {}): Headline | null {
  const { tolerance = 0.01 } = options;
  const summary = options.curve !== undefined ? results.summary.find((s) => s.label === options.curve) : (results.summary.find((s) => s.role === 'criterion') ?? results.summary[0]);
  if (!summary) return null;
  const baseline = summary.mean[0] as number;
  let k = options.k;
  let rule = `K = ${k} chosen`;
  if (k === undefined) {
    k = headlineK(summary.mean as number[], tolerance);
    rule = `the largest K whose accuracy is within ${(tolerance * 100).toFixed(tolerance * 100 < 1 ? 1 : 0)} point${tolerance === 0.01 ? '' : 's'} of the unpruned model's`;
  }
  if (!Number.isInteger(k) || k < 0 || k >= summary.mean.length) throw new Error(`chooseHeadline: K = ${k} is outside 0 … ${summary.mean.length - 1}`);
  const accuracy = summary.mean[k] as number;
  return {
    curve: summary.label,
    k,
    channels: results.layer.channels,
    baseline,
    accuracy,
    lost: baseline - accuracy,
    params: change(results.costs, k, 'params'),
    macs: change(results.costs, k, 'macs'),
    latencyMs: change(results.costs, k, 'latencyMs'),
    rule,
  };
}
