import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createMaskEvaluator, greedyOracle, rankChannels, scoreChannels, spearmanCorrelation, sweepOrders } from '@prune/core';
import type { ControlsRecord, CriterionResult } from '@prune/report';
import { evaluatePredictions } from '@prune/siamese';
import { criterionByName } from './criterionByName.js';
import { deriveSeed } from './deriveSeed.js';
import type { PairTensors } from './pairTensors.js';

/** What the controls are computed from. */
export interface ControlsInput {
  model: LayersModel;
  layer: string;
  /** The evaluation (test) pairs. */
  test: PairTensors;
  /** The seed's curves; the rank correlations read their scores, against the `correlateWith` curve ranked on `rankedOn`. */
  curves: readonly CriterionResult[];
  /** The criterion every curve is rank-correlated with (default `ablation`, single-channel ablation); none when absent. */
  correlateWith?: string;
  rankedOn: 'test' | 'train';
  /** The run's seed (each random order's seed is derived from it). */
  seed: number;
  randomOrders: number;
  oracle: boolean;
  batchSize: number;
}

/**
 * The report's references for one seed, all on one mask evaluator over the test pairs (the exact fast path,
 * upstream computed once): `randomOrders` random prune orders, the greedy oracle (ties of accuracy broken by the
 * lower log loss), and each curve's Spearman correlation with the single-channel ablation's scores.
 */
export async function computeControls(input: ControlsInput): Promise<ControlsRecord> {
  const { model, layer, test } = input;
  const evaluator = await createMaskEvaluator(model, layer, { inputs: test.inputs, labels: test.labels }, { batchSize: input.batchSize });
  try {
    let random: ControlsRecord['random'] = null;
    if (input.randomOrders > 0) {
      const seeds = Array.from({ length: input.randomOrders }, (_, i) => deriveSeed(input.seed, `random-control-${i}`));
      const orders: number[][] = [];
      for (const s of seeds) orders.push(Array.from(rankChannels(await scoreChannels(criterionByName('random', s), { model, layer }))));
      random = { seeds, orders, accuracy: sweepOrders(evaluator, orders) };
    }
    const oracle = input.oracle ? greedyOracle(evaluator, { tieBreak: (p) => -evaluatePredictions(p, test.labels).loss }) : null;
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
  } finally {
    evaluator.dispose();
  }
}
