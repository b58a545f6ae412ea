import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { countMacs, countParams, maskWeakest, measureLatency, pruneChannels } from '@prune/core';
import type { CostRecord } from '@prune/report';

/** Pairs per timed forward pass. */
export const LATENCY_BATCH = 64;
/** Timed passes per K (the median is reported). */
export const LATENCY_RUNS = 5;

/**
 * The K values whose latency is timed: every 4th, the last and those asked for (the headline's), as timing all would
 * cost ~1 s per K for little.
 */
export function latencyKs(channels: number, also: readonly number[] = []): Set<number> {
  const ks = new Set<number>([channels - 1, ...also.filter((k) => k >= 0 && k < channels)]);
  for (let k = 0; k < channels; k += 4) ks.add(k);
  return ks;
}

/**
 * Parameters and MACs (one pair) of the physically pruned model for every K = 0 … C-1 (channels removed in
 * `order`), and its latency (median forward pass of `inputs`, one batch) at the K of {@link latencyKs}.
 */
export async function measureCosts(
  model: LayersModel,
  layer: string,
  order: readonly number[],
  inputs: Tensor[],
  options: { runs?: number; onK?: (done: number) => void; alsoTime?: readonly number[] } = {},
): Promise<CostRecord[]> {
  const records: CostRecord[] = [];
  const timed = latencyKs(order.length, options.alsoTime);
  for (let k = 0; k < order.length; k++) {
    const pruned = k === 0 ? model : await pruneChannels(model, maskWeakest(layer, order, k));
    try {
      const latency = timed.has(k) ? await measureLatency(pruned, inputs, { runs: options.runs ?? LATENCY_RUNS, warmup: 1 }) : null;
      const latencyMs = latency ? Math.round(latency.medianMs * 1000) / 1000 : null;
      records.push({ k, params: countParams(pruned).total, macs: countMacs(pruned).macs, latencyMs });
    } finally {
      if (pruned !== model) pruned.dispose();
    }
    options.onK?.(k + 1);
  }
  return records;
}
