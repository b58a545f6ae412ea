import { dispose } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { CostRecord } from '@prune/report';
import { LATENCY_BATCH, measureCosts } from '../measureCosts.js';
import type { PairTensors } from '../pairTensors.js';
import { sliceInputs } from '../sliceInputs.js';
import type { StageContext } from './stageContext.js';

export interface CostsInput {
  model: LayersModel;
  layerPath: string;
  /** The pruning order (of the first criterion). */
  order: readonly number[];
  test: PairTensors;
}

/** Stage 7: parameters, MACs and latency of the physically pruned model for every K. */
export async function costsStage({ model, layerPath, order, test }: CostsInput, { progress }: StageContext): Promise<CostRecord[]> {
  const task = progress.task('costs', order.length, 'K');
  const batch = sliceInputs(test.inputs, 0, Math.min(LATENCY_BATCH, test.count)); // [64, 28, 28, 1] × 2
  try {
    const costs = await measureCosts(model, layerPath, order, batch, { onK: (done) => task.update(done) });
    task.stop(`parameters ${costs[0]?.params} → ${costs[costs.length - 1]?.params} at K=${order.length - 1}`);
    return costs;
  } finally {
    dispose(batch);
  }
}
