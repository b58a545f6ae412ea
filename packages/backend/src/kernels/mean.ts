import { Mean, util, type KernelConfig, type KernelFunc, type MeanAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { leadingAxes, sumRowsInto } from './sum';

/**
 * Mean for wasm: over leading axes of a float32 tensor (BatchNormalization's batch moments, a
 * global average pool over [n·h·w, c]), one contiguous pass summing in float64, then a division;
 * wasm's stock kernel first transposes the reduced axes innermost. Everything else goes to the
 * stock kernel.
 */
export function makeMeanConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x;
    const { axis, keepDims } = args.attrs as unknown as MeanAttrs;
    if (x == null || x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0) return stock.kernelFunc(args);
    const k = leadingAxes(x.shape, axis);
    if (k === null) return stock.kernelFunc(args);
    const backend = args.backend as BackendWasm;
    const kept = x.shape.slice(k);
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept, 'float32');
    // Views on the wasm heap, taken after the allocation (which may grow and move the heap).
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    sumRowsInto(backend.typedArrayFromHeap(x), rows, util.sizeFromShape(kept), dst, 1 / rows);
    return out;
  };
  return { kernelName: Mean, backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}
