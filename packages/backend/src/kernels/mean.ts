import { Mean, type KernelConfig } from '@tensorflow/tfjs-core';
import { makeLeadingAxesReduction } from './sum';

/**
 * Mean for wasm: over leading axes of a float32 tensor (BatchNormalization's batch moments, a global average pool
 * over [n·h·w, c]), the column sums in float64 times 1/rows, as {@link makeLeadingAxesReduction}.
 */
export function makeMeanConfig(stock: KernelConfig): KernelConfig {
  return makeLeadingAxesReduction(Mean, stock, (rows) => rows);
}
