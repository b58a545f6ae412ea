export { FusedAdamOptimizer, type NamedTensor } from './optimizers/FusedAdamOptimizer';
export {
  describeWasmTraining,
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  WASM_TRAINING_KERNELS,
  type WasmTrainingKernel,
} from './registerWasmTrainingKernels';
export {
  selectBackend,
  type BackendChoice,
  type BackendName,
  type BackendSelection,
  type SelectBackendOptions,
} from './selectBackend';
export { GRADIENT_KERNELS, type WasmTrainingStatus } from './wasmTrainingStatus';
export { defaultThreadCount } from './defaultThreadCount';
export { readInto } from './readInto';
export type { WasmThreadsHost } from './prepareWasmThreads';
