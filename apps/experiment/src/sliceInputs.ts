import { slice, type Tensor } from '@tensorflow/tfjs-core';

/** Rows [start, end) of each input tensor (examples first); the caller disposes the slices. */
export function sliceInputs(inputs: readonly Tensor[], start: number, end: number): Tensor[] {
  return inputs.map((t) => slice(t, [start], [end - start]));
}
