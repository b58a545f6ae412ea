import { dispose, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { collectActivationStats, type ChannelStats } from '@prune/activations';
import type { PairTensors } from './pairTensors.js';
import { sliceInputs } from './sliceInputs.js';

/**
 * Streaming statistics of `layer`'s output over every calibration pair, both branches (the shared encoder runs
 * twice per pair, so 2N images), in batches of `batchSize` pairs. `onBatch` reports pairs done.
 */
export async function layerStats(
  model: LayersModel,
  layer: string,
  data: PairTensors,
  options: { batchSize: number; onBatch?: (done: number) => void },
): Promise<ChannelStats> {
  const { batchSize, onBatch } = options;
  function* batches(): Generator<Tensor[]> {
    for (let start = 0; start < data.count; start += batchSize) {
      const end = Math.min(data.count, start + batchSize);
      const batch = sliceInputs(data.inputs, start, end); // [b, 28, 28, 1] × 2
      try {
        yield batch;
      } finally {
        dispose(batch);
        onBatch?.(end);
      }
    }
  }
  const all = await collectActivationStats(model, batches(), { layers: [layer] });
  const stats = all[layer] ?? Object.values(all)[0];
  if (!stats) throw new Error(`statistics of layer '${layer}': collectActivationStats returned nothing`);
  return stats;
}
