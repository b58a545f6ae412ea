import {
  BatchMatMul,
  matMul,
  tidy,
  transpose,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type KernelFunc,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { tensorOf } from './tensorOf';

/** Swaps the last two axes (an explicit copy). */
function transposeInner(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r -1;
  perm[r - 1] = r - 2;
  return transpose(t, perm);
}

/**
 * wasm's BatchMatMul uses XNNPACK only without transposes; with transposeA/transposeB (every Dense
 * gradient) it runs a plain loop. An explicit transpose then the plain matmul is many times faster.
 */
export function makeBatchMatMulConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return stock.kernelFunc(args);
    const { a, b } = args.inputs as unknown as BatchMatMulInputs;
    return tidy(() => {
      const a2 = transposeA ? transposeInner(tensorOf(a, 'BatchMatMul', 'a')) : tensorOf(a, 'BatchMatMul', 'a');
      const b2 = transposeB ? transposeInner(tensorOf(b, 'BatchMatMul', 'b')) : tensorOf(b, 'BatchMatMul', 'b');
      return matMul(a2, b2); // runs this kernel again, now without transposes
    });
  };
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc,
    ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}),
    ...(stock.disposeFunc ? { disposeFunc: stock.disposeFunc } : {}),
  };
}
