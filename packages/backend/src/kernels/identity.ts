import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** An output that shares `x`'s data (one more reference to it): tensors are immutable, so no copy is needed. */
export function shareData(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Identity for wasm without a copy (as the cpu backend does it): tensors are immutable, so the
 * output shares the input's data. tfjs clones every tensor it saves for a gradient, which with
 * wasm's copying Identity costs a full copy of each saved activation per training step.
 */
export function makeIdentityConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x;
    if (x == null) throw new Error("Identity (wasm training kernel): missing input 'x'");
    if (x.dtype === 'string') {
      if (stock == null) throw new Error('Identity (wasm training kernel): string tensors need the stock kernel');
      return stock.kernelFunc(args);
    }
    return shareData(args.backend as BackendWasm, x);
  };
  return {
    kernelName: Identity,
    backendName: 'wasm',
    kernelFunc,
    ...(stock?.setupFunc ? { setupFunc: stock.setupFunc } : {}),
  };
}
