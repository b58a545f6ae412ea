import { engine, Tensor, type TensorInfo } from '@tensorflow/tfjs-core';

/**
 * A Tensor handle for a kernel input: ops pass Tensors, other kernels may pass bare TensorInfos.
 * Call inside a tidy, so a wrapper handle made here is released when the tidy ends.
 */
export function tensorOf<T extends Tensor = Tensor>(info: TensorInfo | undefined, kernel: string, input: string): T {
  if (info == null) throw new Error(`${kernel} (wasm training kernel): missing input '${input}'`);
  return (info instanceof Tensor ? info : engine().makeTensorFromTensorInfo(info)) as T;
}
