import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ChannelStats } from '@prune/activations';
import { rankChannels, scoreChannels } from '@prune/core';
import { criterionByName } from '../criterionByName.js';
import { deriveSeed } from '../deriveSeed.js';
import type { PairTensors } from '../pairTensors.js';
import { checkAbort, EVAL_BATCH, type StageContext } from './stageContext.js';

export interface RankInput {
  model: LayersModel;
  layerPath: string;
  criteria: readonly string[];
  seed: number;
  stats: ChannelStats;
  calibration: PairTensors;
}

/** One criterion's scores and the channel order it gives (weakest first). */
export interface Ranking {
  criterion: string;
  scores: number[];
  order: number[];
}

/** Stage 4: every criterion's channel scores on the calibration pairs, and the pruning order they give. */
export async function rankStage({ model, layerPath, criteria, seed, stats, calibration }: RankInput, { signal }: StageContext): Promise<Ranking[]> {
  const rankings: Ranking[] = [];
  for (const name of criteria) {
    rankings.push(await rankCriterion(name, { model, layerPath, seed, stats, pairs: calibration }));
    checkAbort(signal);
  }
  return rankings;
}

/** One criterion's scores on `pairs` and its order; `stats` are those pairs' statistics when known (else computed from them). */
export async function rankCriterion(name: string, input: { model: LayersModel; layerPath: string; seed: number; stats?: ChannelStats; pairs: PairTensors }): Promise<Ranking> {
  const criterion = criterionByName(name, deriveSeed(input.seed, `criterion-${name}`));
  const { inputs, labels } = input.pairs;
  const scores = await scoreChannels(criterion, { model: input.model, layer: input.layerPath, ...(input.stats ? { stats: input.stats } : {}), data: { inputs, labels }, batchSize: EVAL_BATCH });
  return { criterion: name, scores: Array.from(scores), order: Array.from(rankChannels(scores)) };
}
