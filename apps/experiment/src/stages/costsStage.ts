import { dispose } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { headlineK, type CostRecord } from '@prune/report';
import { LATENCY_BATCH, measureCosts } from '../measureCosts.js';
import type { PairTensors } from '../pairTensors.js';
import { sliceInputs } from '../sliceInputs.js';
import type { StageContext } from './stageContext.js';

export interface CostsInput {
  model: LayersModel;
  layerPath: string;
  /** The pruning order (of the first criterion). */
  order: readonly number[];
  /** That criterion's accuracy at K = 0 … C-1: the headline's default K is timed too. */
  accuracy: readonly number[];
  test: PairTensors;
}

/** Stage 7: parameters, MACs and latency of the physically pruned model for every K. */
export async function costsStage({ model, layerPath, order, accuracy, test }: CostsInput, { progress }: StageContext): Promise<CostRecord[]> {
  const task = progress.task('costs', order.length, 'K');
  const batch = sliceInputs(test.inputs, 0, Math.min(LATENCY_BATCH, test.count)); // [64, 28, 28, 1] × 2
  try {
    const costs = await measureCosts(model, layerPath, order, batch, { onK: (done) => task.update(done), alsoTime: [headlineK(accuracy)] });
    task.stop(`parameters ${costs[0]?.params} → ${costs[costs.length - 1]?.params} at K=${order.length - 1}`);
    return costs;
  } finally {
    dispose(batch);
  }
}
