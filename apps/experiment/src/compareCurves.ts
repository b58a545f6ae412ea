import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ChannelStats } from '@prune/activations';
import { accuracyIntervals, sweepOrders, type MaskEvaluator } from '@prune/core';
import type { CriterionResult } from '@prune/report';
import type { PairTensors } from './pairTensors.js';
import { rankCriterion } from './stages/rankStage.js';

/** What the comparison curves are computed from. */
export interface CompareInput {
  model: LayersModel;
  layer: string;
  /** A mask evaluator of `layer` over the test pairs (owned by the caller). */
  evaluator: MaskEvaluator;
  /** Criteria to add beside the run's own; those already among them are skipped. */
  compare: readonly string[];
  /** The run's curves (their criteria are not repeated). */
  asked: readonly CriterionResult[];
  /** The pairs the run ranks on, and the other split with its name (the first criterion is ranked on it too). */
  calibration: PairTensors;
  /** The calibration pairs' statistics, when known (the activation criteria read them; else computed from the pairs). */
  stats?: ChannelStats;
  rankedOn: 'test' | 'train';
  other: { pairs: PairTensors; rankedOn: 'test' | 'train' } | null;
  seed: number;
}

/** The Wilson 95% interval of each accuracy over `count` pairs, as results.json stores it. */
export function wilson95(accuracy: readonly number[], count: number): CriterionResult['interval'] {
  return { level: 0.95, method: 'wilson', ...accuracyIntervals(accuracy, count) };
}

/**
 * The report's comparison curves for one seed, each ranked as the run's criteria are and swept on the caller's
 * mask evaluator (the exact fast path, upstream computed once): the `compare` criteria on the run's calibration
 * pairs, and the first asked criterion ranked on the other split (what ranking on the evaluation pairs is worth).
 */
export async function compareCurves(input: CompareInput): Promise<CriterionResult[]> {
  const { model, layer, evaluator } = input;
  const jobs: Array<{ name: string; pairs: PairTensors; stats?: ChannelStats; rankedOn: 'test' | 'train' }> = input.compare
    .filter((name) => !input.asked.some((c) => c.criterion === name))
    .map((name) => ({ name, pairs: input.calibration, ...(input.stats ? { stats: input.stats } : {}), rankedOn: input.rankedOn }));
  const first = input.asked[0];
  if (first && input.other) jobs.push({ name: first.criterion, pairs: input.other.pairs, rankedOn: input.other.rankedOn });
  const curves: CriterionResult[] = [];
  for (const job of jobs) {
    const { scores, order } = await rankCriterion(job.name, { model, layerPath: layer, seed: input.seed, pairs: job.pairs, ...(job.stats ? { stats: job.stats } : {}) });
    const [accuracy] = sweepOrders(evaluator, [order]) as [number[]];
    curves.push({ criterion: job.name, rankedOn: job.rankedOn, role: 'comparison', scores, order, accuracy, interval: wilson95(accuracy, evaluator.count), fineTune: [] });
  }
  return curves;
}
