import { engine, getBackend, type Tensor } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Copies a float32 tensor's values into `target` at `offset`. On wasm it reads the backend's heap in place, so a
 * loop that reads the same tensors every step (gradients into shared memory, say) allocates nothing; elsewhere it
 * goes through `dataSync`.
 *
 * @param t - a float32 tensor.
 * @param target - where the values go; it must have room for `t.size` values from `offset`.
 * @param offset - index in `target` of the first value (default 0).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { readInto } from '@prune/backend';
 *
 * const out = new Float32Array(6);
 * readInto(tf.tensor2d([[1, 2], [3, 4]]), out, 2); // out: 0 0 1 2 3 4
 * ```
 */
export function readInto(t: Tensor, target: Float32Array, offset = 0): void {
  if (t.dtype !== 'float32') throw new Error(`readInto: the tensor is ${t.dtype}; only float32 tensors are read`);
  if (!(Number.isInteger(offset) && offset >= 0 && offset + t.size <= target.length)) {
    throw new Error(`readInto: ${t.size} values from offset ${offset} do not fit a target of ${target.length}`);
  }
  if (getBackend() !== 'wasm') return target.set(t.dataSync() as Float32Array, offset);
  target.set((engine().backend as BackendWasm).typedArrayFromHeap(t) as Float32Array, offset);
}
