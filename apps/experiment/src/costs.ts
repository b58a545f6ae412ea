import type { LayersModel } from '@tensorflow/tfjs-layers';
import { countMacs, countParams, measureLatency, pruneChannels } from '@prune/core';
import type { CostRecord } from '@prune/report';

/** Pairs per timed forward pass. */
export const LATENCY_BATCH = 64;

/**
 * Parameters, MACs and latency of the physically pruned model for every K = 0 … C-1 (channels removed in `order`):
 * what pruning buys. Latency is the median of a few timed forward passes of one batch after a warm-up.
 */
export async function measureCosts(model: LayersModel, layer: string, order: readonly number[], options: { onK?: (done: number) => void } = {}): Promise<CostRecord[]> {
  const records: CostRecord[] = [];
  for (let k = 0; k < order.length; k++) {
    const pruned = k === 0 ? model : await pruneChannels(model, layer, order.slice(0, k));
    try {
      const latency = await measureLatency(pruned, { batchSize: LATENCY_BATCH, runs: 5, warmup: 1 });
      records.push({ k, params: countParams(pruned), macs: countMacs(pruned), latencyMs: latency.medianMs });
    } finally {
      if (pruned !== model) pruned.dispose();
    }
    options.onK?.(k + 1);
  }
  return records;
}
