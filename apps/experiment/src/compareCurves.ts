import type { LayersModel } from '@tensorflow/tfjs-layers';
import { accuracyIntervals, rankChannels, scoreChannels, sweepOrders, type MaskEvaluator } from '@prune/core';
import type { CriterionResult } from '@prune/report';
import { criterionByName } from './criterionByName.js';
import { deriveSeed } from './deriveSeed.js';
import type { PairTensors } from './pairTensors.js';

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
  rankedOn: 'test' | 'train';
  other: { pairs: PairTensors; rankedOn: 'test' | 'train' } | null;
  seed: number;
  batchSize: number;
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
  const jobs: Array<{ name: string; pairs: PairTensors; rankedOn: 'test' | 'train' }> = input.compare
    .filter((name) => !input.asked.some((c) => c.criterion === name))
    .map((name) => ({ name, pairs: input.calibration, rankedOn: input.rankedOn }));
  const first = input.asked[0];
  if (first && input.other) jobs.push({ name: first.criterion, pairs: input.other.pairs, rankedOn: input.other.rankedOn });
  const curves: CriterionResult[] = [];
  for (const job of jobs) {
    const criterion = criterionByName(job.name, deriveSeed(input.seed, `criterion-${job.name}`));
    const scores = await scoreChannels(criterion, { model, layer, data: { inputs: job.pairs.inputs, labels: job.pairs.labels }, batchSize: input.batchSize });
    const order = Array.from(rankChannels(scores));
    const [accuracy] = sweepOrders(evaluator, [order]) as [number[]];
    curves.push({ criterion: job.name, rankedOn: job.rankedOn, role: 'comparison', scores: Array.from(scores), order, accuracy, interval: wilson95(accuracy, evaluator.count), fineTune: [] });
  }
  return curves;
}
