import type { LayersModel } from '@tensorflow/tfjs-layers';
import { greedyOracle, rankChannels, scoreChannels, spearmanCorrelation, sweepOrders, type MaskEvaluator } from '@prune/core';
import type { ControlsRecord, CriterionResult } from '@prune/report';
import { evaluatePredictions } from '@prune/siamese';
import { criterionByName } from './criterionByName.js';
import { deriveSeed } from './deriveSeed.js';

/** What the controls are computed from. */
export interface ControlsInput {
  model: LayersModel;
  layer: string;
  /** A mask evaluator of `layer` over the test pairs (owned by the caller). */
  evaluator: MaskEvaluator;
  /** The test pairs' labels (the oracle's tie-break reads their log loss). */
  labels: ArrayLike<number>;
  /** The seed's curves; the rank correlations read their scores, against the `correlateWith` curve ranked on `rankedOn`. */
  curves: readonly CriterionResult[];
  /** The criterion every curve is rank-correlated with (default `ablation`, single-channel ablation); none when absent. */
  correlateWith?: string;
  rankedOn: 'test' | 'train';
  /** The run's seed (each random order's seed is derived from it). */
  seed: number;
  randomOrders: number;
  oracle: boolean;
}

/**
 * The report's references for one seed, all on the caller's mask evaluator over the test pairs (the exact fast
 * path, upstream computed once): `randomOrders` random prune orders, the greedy oracle (ties of accuracy broken by the
 * lower log loss), and each curve's Spearman correlation with the single-channel ablation's scores.
 */
export async function computeControls(input: ControlsInput): Promise<ControlsRecord> {
  const { model, layer, evaluator } = input;
  let random: ControlsRecord['random'] = null;
  if (input.randomOrders > 0) {
    const seeds = Array.from({ length: input.randomOrders }, (_, i) => deriveSeed(input.seed, `random-control-${i}`));
    const orders: number[][] = [];
    for (const s of seeds) orders.push(Array.from(rankChannels(await scoreChannels(criterionByName('random', s), { model, layer }))));
    random = { seeds, orders, accuracy: sweepOrders(evaluator, orders) };
  }
  const oracle = input.oracle ? greedyOracle(evaluator, { tieBreak: (p) => -evaluatePredictions(p, input.labels).loss }) : null;
  const reference = input.correlateWith ?? 'ablation';
  const ablation = input.curves.find((c) => c.criterion === reference && c.rankedOn === input.rankedOn);
  const rankCorrelation = ablation
    ? {
        reference,
        values: input.curves
          .filter((c) => c !== ablation)
          .map((c) => {
            const rho = spearmanCorrelation(c.scores, ablation.scores);
            return { criterion: c.criterion, rankedOn: c.rankedOn, rho: Number.isNaN(rho) ? null : rho };
          }),
      }
    : null;
  return { random, oracle: oracle ? { order: oracle.order, accuracy: oracle.metrics, evaluations: oracle.evaluations } : null, rankCorrelation };
}
