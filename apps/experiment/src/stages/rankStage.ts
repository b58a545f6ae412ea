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
    const criterion = criterionByName(name, deriveSeed(seed, `criterion-${name}`));
    const scores = await scoreChannels(criterion, { model, layer: layerPath, stats, data: { inputs: calibration.inputs, labels: calibration.labels }, batchSize: EVAL_BATCH });
    rankings.push({ criterion: name, scores: Array.from(scores), order: Array.from(rankChannels(scores)) });
    checkAbort(signal);
  }
  return rankings;
}
