import { tensor4d, type Tensor4D } from '@tensorflow/tfjs-core';
import { IMAGE_SIZE, pairImages, type PairSet } from '@prune/mnist-pairs';

/** A pair set held as two input tensors [N,28,28,1] and its 0/1 labels, in pair order; dispose when done. */
export interface PairTensors {
  inputs: [Tensor4D, Tensor4D];
  labels: Uint8Array;
  count: number;
  dispose(): void;
}

/** Gathers a pair set's images into the model's two inputs (about 6 MB per 1000 pairs). */
export function pairTensors(pairs: PairSet): PairTensors {
  const { left, right } = pairImages(pairs);
  const shape: [number, number, number, number] = [pairs.count, IMAGE_SIZE, IMAGE_SIZE, 1];
  const inputs: [Tensor4D, Tensor4D] = [tensor4d(left, shape), tensor4d(right, shape)]; // [N, 28, 28, 1] each
  return {
    inputs,
    labels: pairs.labels,
    count: pairs.count,
    dispose: () => inputs.forEach((t) => t.dispose()),
  };
}
