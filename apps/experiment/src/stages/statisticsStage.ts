import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry, type ChannelStats } from '@prune/activations';
import type { SeedRun } from '@prune/report';
import { evaluateSiamese } from '@prune/siamese';
import type { SeedData } from '../buildSeedData.js';
import { layerStats } from '../layerStats.js';
import type { PairTensors } from '../pairTensors.js';
import { checkAbort, EVAL_BATCH, type StageContext } from './stageContext.js';

export interface StatisticsInput {
  model: LayersModel;
  /** The --layer name as given (`conv2`, `encoder/conv2`). */
  layer: string;
  data: SeedData;
  /** The pairs the channels are ranked on (the test pairs, or held-out train pairs). */
  calibration: PairTensors;
  tag: string;
}

export interface StatisticsOutput {
  /** The layer's canonical path, e.g. `encoder/conv2`. */
  layerPath: string;
  /** The unpruned model on the test pairs (AUC null when undefined). */
  evaluation: SeedRun['test'];
  /** The layer's per-channel statistics over both branches of every calibration pair. */
  stats: ChannelStats;
}

/** Stage 3: the trained model's test evaluation and the pruned layer's activation statistics on the calibration pairs. */
export async function statisticsStage({ model, layer, data, calibration, tag }: StatisticsInput, { progress, signal }: StageContext): Promise<StatisticsOutput> {
  const layerPath = resolveLayerEntry(model, layer).path;
  const measured = await evaluateSiamese(model, data.test, { batchSize: EVAL_BATCH });
  const evaluation = { ...measured, auc: Number.isNaN(measured.auc) ? null : measured.auc }; // JSON has no NaN
  progress.log(`test${tag}: accuracy ${evaluation.accuracy.toFixed(4)}, loss ${evaluation.loss.toFixed(4)}, AUC ${evaluation.auc?.toFixed(4) ?? 'n/a'} on ${evaluation.count} pairs`);
  checkAbort(signal);
  const task = progress.task(`statistics${tag}`, calibration.count, 'pairs');
  const stats = await layerStats(model, layerPath, calibration, { batchSize: EVAL_BATCH, onBatch: (done) => task.update(done) });
  task.stop(`${layerPath}: ${stats.channels} channels, ${stats.images} images (${data.heldOut ? 'held-out train' : 'test'} pairs, both branches)`);
  return { layerPath, evaluation, stats };
}
