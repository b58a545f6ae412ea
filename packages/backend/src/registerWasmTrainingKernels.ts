import '@tensorflow/tfjs-backend-wasm';
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { makeBatchMatMulConfig } from './kernels/batchMatMul';
import { conv2DBackpropFilterConfig } from './kernels/conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './kernels/conv2DBackpropInput';
import { makeIdentityConfig } from './kernels/identity';
import { makeMaxPoolGradConfig } from './kernels/maxPoolGrad';
import { makeSumConfig } from './kernels/sum';

/** The wasm kernels that {@link registerWasmTrainingKernels} adds or replaces. */
export const WASM_TRAINING_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'Sum', 'Identity'] as const;

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
  const batchMatMulStock = stock.get('BatchMatMul');
  const sumStock = stock.get('Sum');
  if (batchMatMulStock == null || sumStock == null) throw new Error("registerWasmTrainingKernels: wasm has no 'BatchMatMul' or 'Sum' kernel to wrap");
  ours = new Map<string, KernelConfig>([
    ['Conv2DBackpropFilter', conv2DBackpropFilterConfig],
    ['Conv2DBackpropInput', withStockSetup(conv2DBackpropInputConfig, stock.get('Conv2DBackpropInput'))],
    ['MaxPoolGrad', makeMaxPoolGradConfig(stock.get('MaxPoolGrad'))],
    ['BatchMatMul', makeBatchMatMulConfig(batchMatMulStock)],
    ['Sum', makeSumConfig(sumStock)],
    ['Identity', makeIdentityConfig(stock.get('Identity'))],
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
 * transposed BatchMatMul, Sum over leading axes, Identity) with faster exact ones. Idempotent; call it before or after `setBackend('wasm')`. `kernels` limits
 * it to some of them (default: all).
 */
export function registerWasmTrainingKernels(kernels: readonly WasmTrainingKernel[] = WASM_TRAINING_KERNELS): void {
  checkNames(kernels, 'registerWasmTrainingKernels');
  if (stock === null || ours === null) build();
  for (const name of kernels) install(name, ours!.get(name));
}

/**
 * Puts wasm's stock kernels back (removing Conv2DBackpropFilter, which wasm lacks), undoing
 * {@link registerWasmTrainingKernels} for `kernels` (default: all); used to compare the two.
 */
export function restoreStockWasmKernels(kernels: readonly WasmTrainingKernel[] = WASM_TRAINING_KERNELS): void {
  checkNames(kernels, 'restoreStockWasmKernels');
  if (stock === null) return;
  for (const name of kernels) install(name, stock.get(name));
}
