import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkOrder } from '../masks/channelMask';
import { checkBatchSize, inputList, labelArray, type EvalData } from './evalData';
import type { Metric } from './metrics';

/** Progress of a sweep, reported after each step. */
export interface SweepProgress {
  /** The K just evaluated (0 is the unpruned model). */
  k: number;
  /** Steps done so far (1-based); a step is one K on one batch of examples. */
  step: number;
  /** Steps in all. */
  steps: number;
  /** The metric at this K, once every example has been seen for it (always for the naive sweep; on the last batch for the fast one). */
  metric?: number;
}

/** Options shared by {@link sweepChannels} and {@link naiveSweep}. */
export interface SweepOptions {
  /** The Ks to evaluate (each in 0 … P-1); default every K from 1 to P-1. */
  ks?: readonly number[];
  /** What to measure; default {@link binaryAccuracy} at 0.5 for a single-value output, arg-max accuracy otherwise. */
  metric?: Metric;
  /** Which model output the metric reads (default 0). */
  output?: number;
  /** Examples per forward pass (default 500). */
  batchSize?: number;
  /** Keep the chosen output's predictions for every K in the result (default false). */
  keepPredictions?: boolean;
  /** Called after each step. */
  onProgress?: (progress: SweepProgress) => void;
}

/** How a sweep computed its numbers. */
export type SweepPath = 'linear-consumer' | 'upstream' | 'naive';

/** One point of a sweep: the metric with the K weakest channels pruned. */
export interface SweepPoint {
  /** Number of channels pruned: the first K of the order. */
  k: number;
  /** The metric with those channels zeroed. */
  metric: number;
}

/** The outcome of a sweep over K for one layer and one channel order. */
export interface SweepResult {
  /** The pruned layer's canonical path (e.g. `encoder/conv2`). */
  layer: string;
  /** Its number of output channels P. */
  channels: number;
  /** The channel order used, weakest first. */
  order: Int32Array;
  /** The metric's name. */
  metricName: string;
  /** The metric of the unpruned model (K = 0). */
  baseline: number;
  /** The metric for each requested K, in ascending K. */
  points: SweepPoint[];
  /**
   * `linear-consumer`: upstream once, per-channel contributions subtracted at the first weighted consumer, only the
   * tail run per K; `upstream`: upstream once, everything downstream of the layer run per K; `naive`: a masked copy
   * of the whole model evaluated per K.
   */
  path: SweepPath;
  /** Why this path was taken (for `upstream`, what kept the faster path out). */
  note: string;
  /** Predictions of the chosen output (row-major [count, outputSize]) for K = 0, when `keepPredictions` was set. */
  baselinePredictions?: Float32Array;
  /** Predictions for each point (same order as `points`), when `keepPredictions` was set. */
  predictions?: Float32Array[];
  /** Wall-clock seconds the sweep took. */
  seconds: number;
}

/** The Ks a sweep evaluates: the requested ones (checked, sorted, deduplicated) or 1 … P-1. */
export function sweepKs(ks: readonly number[] | undefined, channels: number, layer: string): number[] {
  if (channels < 2) throw new Error(`layer '${layer}' has ${channels} channel(s); a sweep needs at least 2`);
  if (ks === undefined) return Array.from({ length: channels - 1 }, (_, i) => i + 1);
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 0 || k > channels - 1) {
      throw new Error(`K = ${k} for layer '${layer}' is outside 0 … ${channels - 1} (the layer has ${channels} channels)`);
    }
  }
  return [...new Set(ks)].sort((a, b) => a - b);
}

/**
 * What every sweep checks before any work, naming `caller` in its errors: the order is a permutation of the layer's
 * P channels, the Ks are valid, the data fits the model; returns them ready to use.
 */
export function checkSweep(
  model: LayersModel,
  layer: string,
  channels: number,
  order: ArrayLike<number>,
  data: EvalData,
  options: SweepOptions,
  caller: string,
): { ks: number[]; inputs: tf.Tensor[]; labels: Float32Array | null; batchSize: number } {
  if (order.length !== channels) {
    throw new Error(`${caller}: the order has ${order.length} entries but layer '${layer}' has ${channels} channels`);
  }
  checkOrder(layer, order);
  const ks = sweepKs(options.ks, channels, layer);
  const inputs = inputList(model, data, caller);
  const labels = labelArray(data, inputs[0]!.shape[0]!, caller);
  return { ks, inputs, labels, batchSize: checkBatchSize(options.batchSize, 500, caller) };
}

export type { Metric };
