import '@tensorflow/tfjs-backend-wasm';
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { makeBatchMatMulConfig } from './kernels/batchMatMul';
import { makeCastConfig } from './kernels/cast';
import { conv2DBackpropFilterConfig } from './kernels/conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './kernels/conv2DBackpropInput';
import { makeCorrelationConv2DConfig } from './kernels/correlationConv2D';
import { depthwiseConv2dBackpropFilterConfig } from './kernels/depthwiseConv2dBackpropFilter';
import { depthwiseConv2dBackpropInputConfig } from './kernels/depthwiseConv2dBackpropInput';
import { makeExplicitSamePaddingConfig } from './kernels/explicitSamePadding';
import { makeOneChannelFusedConv2DConfig } from './kernels/oneChannelFusedConv2D';
import { makeIdentityConfig } from './kernels/identity';
import { makeMaxPoolGradConfig } from './kernels/maxPoolGrad';
import { makeMeanConfig } from './kernels/mean';
import { makeSumConfig } from './kernels/sum';
import { makeTileConfig } from './kernels/tile';
import { unsortedSegmentSumConfig } from './kernels/unsortedSegmentSum';
import { wasmTrainingStatus, type WasmTrainingStatus } from './wasmTrainingStatus';

/** The wasm kernels that {@link registerWasmTrainingKernels} adds or replaces. */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'MaxPoolGrad',
  'UnsortedSegmentSum',
  'BatchMatMul',
  'Sum',
  'Mean',
  'Tile',
  'Identity',
  'Cast',
  'Conv2D',
  'FusedConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
] as const;

/** The name of a kernel that {@link registerWasmTrainingKernels} adds or replaces. */
export type WasmTrainingKernel = (typeof WASM_TRAINING_KERNELS)[number];

// Filled on the first registration: the stock configs (undefined where wasm has none) and ours.
let stock: Map<string, KernelConfig | undefined> | null = null;
let ours: Map<string, KernelConfig> | null = null;

function withStockSetup(config: KernelConfig, stockConfig: KernelConfig | undefined): KernelConfig {
  // Keep the stock kernel's setup (its wasm function binding) so it can be restored at any time.
  if (!stockConfig?.setupFunc) return config;
  return { ...config, setupFunc: stockConfig.setupFunc };
}

function build(): void {
  if (getKernel('Conv2D', 'wasm') == null) {
    throw new Error('registerWasmTrainingKernels: the wasm backend registered no kernels (is @tensorflow/tfjs-backend-wasm loaded with the same @tensorflow/tfjs-core?)');
  }
  stock = new Map(WASM_TRAINING_KERNELS.map((name) => [name, getKernel(name, 'wasm')]));
  const wrapped = ['BatchMatMul', 'Sum', 'Mean', 'Tile', 'Cast', 'Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'];
  const absent = wrapped.filter((name) => stock!.get(name) == null);
  if (absent.length > 0) throw new Error(`registerWasmTrainingKernels: wasm has no ${absent.map((n) => `'${n}'`).join(', ')} kernel to wrap`);
  const stockOf = (name: string): KernelConfig => stock!.get(name)!;
  ours = new Map<string, KernelConfig>([
    ['Conv2DBackpropFilter', conv2DBackpropFilterConfig],
    ['Conv2DBackpropInput', withStockSetup(conv2DBackpropInputConfig, stock.get('Conv2DBackpropInput'))],
    ['DepthwiseConv2dNativeBackpropFilter', depthwiseConv2dBackpropFilterConfig],
    ['DepthwiseConv2dNativeBackpropInput', depthwiseConv2dBackpropInputConfig],
    ['MaxPoolGrad', makeMaxPoolGradConfig(stock.get('MaxPoolGrad'))],
    ['UnsortedSegmentSum', unsortedSegmentSumConfig],
    ['BatchMatMul', makeBatchMatMulConfig(stockOf('BatchMatMul'))],
    ['Sum', makeSumConfig(stockOf('Sum'))],
    ['Mean', makeMeanConfig(stockOf('Mean'))],
    ['Tile', makeTileConfig(stockOf('Tile'))],
    ['Identity', makeIdentityConfig(stock.get('Identity'))],
    ['Cast', makeCastConfig(stockOf('Cast'))],
    ['Conv2D', makeCorrelationConv2DConfig(makeExplicitSamePaddingConfig(stockOf('Conv2D'), false))],
    ['FusedConv2D', makeCorrelationConv2DConfig(makeOneChannelFusedConv2DConfig(makeExplicitSamePaddingConfig(stockOf('FusedConv2D'), false)))],
    ['DepthwiseConv2dNative', makeExplicitSamePaddingConfig(stockOf('DepthwiseConv2dNative'), true)],
    ['FusedDepthwiseConv2D', makeExplicitSamePaddingConfig(stockOf('FusedDepthwiseConv2D'), true)],
  ]);
}

function install(name: string, config: KernelConfig | undefined): void {
  if (getKernel(name, 'wasm') === config) return;
  if (getKernel(name, 'wasm') != null) unregisterKernel(name, 'wasm');
  if (config) registerKernel(config);
}

function checkNames(kernels: readonly string[], caller: string): void {
  for (const name of kernels) {
    if (!(WASM_TRAINING_KERNELS as readonly string[]).includes(name)) {
      throw new Error(`${caller}: unknown kernel '${name}'; choose from ${WASM_TRAINING_KERNELS.join(', ')}`);
    }
  }
}

/**
 * Completes the wasm backend for training: registers Conv2DBackpropFilter (wasm has none) and
 * replaces the kernels a training step spends its time in (Conv2DBackpropInput, MaxPoolGrad,
 * transposed BatchMatMul, Sum and Mean over leading axes, whole-block Tile, Identity, same-dtype Cast) with faster
 * exact ones; adds
 * DepthwiseConv2dNativeBackpropInput/Filter and UnsortedSegmentSum (wasm has none); and passes strided 'same' convolutions
 * explicit padding (wasm's stock kernels return zeros for many of them). Idempotent; call it before or
 * after `setBackend('wasm')`. `kernels` limits it to some of them (default: all). Returns what is
 * installed and what is still missing ({@link describeWasmTraining}).
 *
 * @param kernels - which of `WASM_TRAINING_KERNELS` to install (default: all).
 * @returns What is installed and what is still missing.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * import * as tf from '@tensorflow/tfjs-core';
 * import { registerWasmTrainingKernels } from '@prune/backend';
 *
 * // Without this, model.fit on wasm fails with
 * // "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * ```
 */
export function registerWasmTrainingKernels(kernels: readonly WasmTrainingKernel[] = WASM_TRAINING_KERNELS): WasmTrainingStatus {
  checkNames(kernels, 'registerWasmTrainingKernels');
  if (stock === null || ours === null) build();
  for (const name of kernels) install(name, ours!.get(name));
  return describeWasmTraining();
}

/**
 * Which of this package's kernels are installed on wasm now, and which gradient kernels wasm lacks
 * (checked with `getKernel`); its `description` is what {@link registerWasmTrainingKernels}'s callers print.
 *
 *
 * @example
 * ```ts
 * import { describeWasmTraining } from '@prune/backend';
 *
 * const { completed, missing } = describeWasmTraining();
 * if (missing.length > 0) console.warn(`wasm cannot train: ${missing.join(', ')} missing`);
 * ```
 */
export function describeWasmTraining(): WasmTrainingStatus {
  return wasmTrainingStatus(WASM_TRAINING_KERNELS, ours);
}

/**
 * Puts wasm's stock kernels back (removing Conv2DBackpropFilter, which wasm lacks), undoing
 * {@link registerWasmTrainingKernels} for `kernels` (default: all); used to compare the two.
 *
 * @param kernels - which of `WASM_TRAINING_KERNELS` to put back (default: all).
 *
 * @example
 * ```ts
 * import { registerWasmTrainingKernels, restoreStockWasmKernels } from '@prune/backend';
 *
 * registerWasmTrainingKernels();
 * restoreStockWasmKernels(['MaxPoolGrad']); // compare wasm's own MaxPoolGrad with ours
 * ```
 */
export function restoreStockWasmKernels(kernels: readonly WasmTrainingKernel[] = WASM_TRAINING_KERNELS): void {
  checkNames(kernels, 'restoreStockWasmKernels');
  if (stock === null) return;
  for (const name of kernels) install(name, stock.get(name));
}
