import { Cast, type CastAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { shareData } from './identity';

/**
 * Cast for wasm that shares the data when the dtype does not change (wasm's copies it): every ReLU
 * gradient casts its float32 step mask to float32, a full copy of the activation per layer and step.
 * Other casts go to the stock kernel.
 */
export function makeCastConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x;
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (x != null && x.dtype === dtype && dtype !== 'string') return shareData(args.backend as BackendWasm, x);
    return stock.kernelFunc(args);
  };
  return { kernelName: Cast, backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}
