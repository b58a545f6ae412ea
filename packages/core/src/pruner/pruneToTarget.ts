import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { measureLatency, type LatencyOptions } from '../costs/measureLatency';
import { precomputedImportance } from '../criteria/precomputedImportance';
import { planPruning } from './planPruning';
import { pruneModel, type PruneModelResult } from './pruneModel';
import type { PruningOptions } from './pruningOptions';

/** What a prune must reach: at most this many parameters, MACs per example, or milliseconds per predict call. */
export type PruningTarget =
  | { params: number }
  | { macs: number }
  | {
      latencyMs: number;
      /** The example batch predict is timed on. */
      inputs: Tensor | Tensor[];
      /** Runs and warm-up of each measurement. */
      latency?: LatencyOptions;
      /** Times one model in ms (default: `measureLatency`'s median on the current backend); for custom timers. */
      measure?: (model: LayersModel, inputs: Tensor | Tensor[]) => Promise<number>;
    };

/** Options of {@link pruneToTarget}: those of `pruneModel` but the ratio, which the search finds. */
export interface TargetOptions extends Omit<PruningOptions, 'ratio' | 'ratios' | 'steps' | 'fineTune'> {
  target: PruningTarget;
  /** The search stops when the ratio is known to within this (default 1/512). */
  precision?: number;
  /** Called after each tried ratio with its measured value. */
  onTry?: (attempt: TargetAttempt) => void;
}

/** One ratio the search tried and the value (params, MACs or median ms) of the model it gave. */
export interface TargetAttempt {
  ratio: number;
  value: number;
}

/** What {@link pruneToTarget} returns: `pruneModel`'s result at the smallest ratio found that meets the target. */
export interface TargetResult extends PruneModelResult {
  /** `params`, `macs` or `latencyMs`, the target value, and the value the returned model has. */
  kind: 'params' | 'macs' | 'latencyMs';
  target: number;
  achieved: number;
  /** The ratio of `pruneModel` that gave the returned model (uniform or global, as `strategy` says). */
  ratio: number;
  /** Every ratio tried, in order. */
  attempts: TargetAttempt[];
}

const MAX_RATIO = 0.999;

function targetKind(target: PruningTarget): { kind: TargetResult['kind']; value: number } {
  const kinds = (['params', 'macs', 'latencyMs'] as const).filter((k) => k in target);
  if (kinds.length !== 1) throw new Error(`pruneToTarget: options.target must have exactly one of params, macs or latencyMs, got ${JSON.stringify(Object.keys(target))}`);
  const kind = kinds[0]!;
  const value = (target as Record<string, unknown>)[kind];
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new Error(`pruneToTarget: options.target.${kind} must be a positive number, got ${JSON.stringify(value)}`);
  if (kind === 'latencyMs' && !('inputs' in target && target.inputs)) throw new Error(`pruneToTarget: a latency target needs options.target.inputs (the example batch to time predict on)`);
  return { kind, value };
}

/**
 * Prunes a model down to a target — at most N parameters, N MACs per example, or a median predict latency of N ms
 * measured on the current backend — with the smallest `pruneModel` ratio (uniform or global) that reaches it. The
 * criterion scores the model once; a bisection over the ratio then rebuilds the model for each tried ratio (about
 * log2(1/precision) rebuilds) and measures it, so the count is exact and the latency really measured. A target
 * below what the largest ratio reaches is an error that says what it does reach.
 *
 * @param model - the model; it is not changed.
 * @param options - `target` (`{ params }`, `{ macs }` or `{ latencyMs }`), `precision`, `onTry`, and the options of `pruneModel` but the ratio.
 * @returns `pruneModel`'s result, with the ratio found and every ratio tried.
 *
 * @example
 * ```ts
 * import { pruneToTarget } from '@prune/core';
 *
 * const target = { params: 100_000 };
 * const result = await pruneToTarget(model, { target, strategy: 'global' });
 * console.log(result.ratio, result.achieved); // the smallest ratio that fits, its count
 * ```
 */
export async function pruneToTarget(model: LayersModel, options: TargetOptions): Promise<TargetResult> {
  const { kind, value: target } = targetKind(options.target);
  const precision = options.precision ?? 1 / 512;
  if (!(precision > 0 && precision < 0.5)) throw new Error(`pruneToTarget: options.precision must be in (0, 0.5), got ${JSON.stringify(precision)}`);
  const { target: _t, precision: _p, onTry, ...pruning } = options;
  const plan = await planPruning(model, { ...pruning, ratio: 0 });
  const scores = new Map(plan.groups.map((g) => [g.group, g.scores]));
  // Scored once: each tried ratio ranks the channels the same way without running the criterion again.
  const base: PruningOptions = { ...pruning, criterion: precomputedImportance(plan.criterion, scores), data: undefined };
  const attempts: TargetAttempt[] = [];
  const measure = async (result: PruneModelResult): Promise<number> => {
    if (kind === 'params') return result.report.totals.params.after;
    if (kind === 'macs') return result.report.totals.macs.after;
    const t = options.target as Extract<PruningTarget, { latencyMs: number }>;
    if (t.measure) return t.measure(result.model, t.inputs);
    return (await measureLatency(result.model, t.inputs, t.latency)).medianMs;
  };
  const attempt = async (ratio: number): Promise<{ ratio: number; result: PruneModelResult; value: number }> => {
    const result = await pruneModel(model, { ...base, ratio });
    const value = await measure(result);
    attempts.push({ ratio, value });
    onTry?.({ ratio, value });
    return { ratio, result, value };
  };
  let best = await attempt(0);
  if (best.value > target) {
    best.result.model.dispose();
    const most = await attempt(MAX_RATIO);
    if (most.value > target) {
      most.result.model.dispose();
      throw new Error(`pruneToTarget: the target ${kind} ≤ ${target} cannot be reached: pruning every group to its minimum gives ${most.value}${kind === 'latencyMs' ? ' ms' : ''}; ask for a larger target, or lower minChannels or exclude fewer layers`);
    }
    best = most;
    let [lo, hi] = [0, MAX_RATIO];
    while (hi - lo > precision) {
      const mid = (lo + hi) / 2;
      const tried = await attempt(mid);
      if (tried.value <= target) {
        best.result.model.dispose();
        best = tried;
        hi = mid;
      } else {
        tried.result.model.dispose();
        lo = mid;
      }
    }
  }
  return { ...best.result, kind, target, achieved: best.value, ratio: best.ratio, attempts };
}
