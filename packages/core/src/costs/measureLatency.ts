import { dispose, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Options of {@link measureLatency}. */
export interface LatencyOptions {
  /** Timed runs (default 20). */
  runs?: number;
  /** Untimed runs first, to compile kernels and fill caches (default 3). */
  warmup?: number;
}

/** Wall-clock latency of `model.predict` on fixed inputs (one batch of all their rows), in milliseconds, over the timed runs. */
export interface LatencyStats {
  /** Number of timed runs. */
  runs: number;
  /** Number of untimed runs before them. */
  warmup: number;
  /** Median run time in ms (mean of the middle two for an even number of runs). */
  medianMs: number;
  /** Mean run time in ms. */
  meanMs: number;
  /** 90th percentile run time in ms (nearest rank). */
  p90Ms: number;
  /** Fastest run in ms. */
  minMs: number;
  /** Slowest run in ms. */
  maxMs: number;
  /** Every timed run in ms, in order. */
  samplesMs: number[];
}

/** The q-quantile of sorted values by the nearest-rank method. */
function nearestRank(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Times `model.predict(inputs)` on the current backend, as one batch of all the inputs' rows (predict would otherwise
 * split them into batches of 32): `warmup` untimed runs, then `runs` timed ones, each waiting
 * for the output values to be ready (so asynchronous backends are timed to completion) and disposing them.
 * Returns median, mean, 90th percentile, min and max in milliseconds. The inputs stay owned by the caller.
 *
 * @param model - the model to time.
 * @param inputs - a batch in `model.inputs` order; owned by the caller.
 * @param options - `runs` (default 20) and `warmup` (default 3).
 *
 * @example
 * ```ts
 * import { measureLatency } from '@prune/core';
 *
 * const stats = await measureLatency(model, images, { runs: 30 });
 * console.log(`median ${stats.medianMs.toFixed(1)} ms`);
 * ```
 */
export async function measureLatency(
  model: LayersModel,
  inputs: Tensor | Tensor[],
  options: LatencyOptions = {},
): Promise<LatencyStats> {
  const runs = options.runs ?? 20;
  const warmup = options.warmup ?? 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`measureLatency: options.runs must be a positive integer, got ${runs}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`measureLatency: options.warmup must be a non-negative integer, got ${warmup}`);
  const rows = (Array.isArray(inputs) ? inputs[0] : inputs)?.shape[0];
  if (!rows) throw new Error('measureLatency: the inputs hold no rows');
  const once = async (): Promise<number> => {
    const start = performance.now();
    const output = model.predict(inputs, { batchSize: rows });
    const outputs = Array.isArray(output) ? output : [output];
    try {
      await Promise.all(outputs.map((t) => t.data()));
    } finally {
      dispose(outputs);
    }
    return performance.now() - start;
  };
  for (let i = 0; i < warmup; i += 1) await once();
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i += 1) samplesMs.push(await once());
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const medianMs = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    runs,
    warmup,
    medianMs,
    meanMs: samplesMs.reduce((a, b) => a + b, 0) / runs,
    p90Ms: nearestRank(sorted, 0.9),
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
    samplesMs,
  };
}
