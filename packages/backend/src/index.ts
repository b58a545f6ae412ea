export {
  registerWasmTrainingKernels,
  restoreStockWasmKernels,
  WASM_TRAINING_KERNELS,
  type WasmTrainingKernel,
} from './registerWasmTrainingKernels';
