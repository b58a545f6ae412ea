import { UnsortedSegmentSum, util, type KernelConfig, type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs, type UnsortedSegmentSumInputs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * out[s, …] = Σ over positions p with ids[p] = s of x[p, …], in position order; ids outside
 * [0, numSegments) are dropped. `out` must be zero-filled.
 */
export function unsortedSegmentSumInto(x: ArrayLike<number>, ids: ArrayLike<number>, inner: number, numSegments: number, out: Float32Array | Int32Array): void {
  for (let p = 0; p < ids.length; p++) {
    const s = ids[p]!;
    if (s < 0 || s >= numSegments) continue;
    const src = p * inner, dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] = out[dst + j]! + x[src + j]!;
  }
}

function kernel({ inputs, attrs, backend }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, segmentIds } = inputs as unknown as UnsortedSegmentSumInputs;
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  if (x == null || segmentIds == null) throw new Error("UnsortedSegmentSum (wasm training kernel): inputs 'x' and 'segmentIds' are required");
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm training kernel): float32 or int32 x only, got ${x.dtype}`);
  const wasm = backend as BackendWasm;
  const inner = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  // Views on the wasm heap, taken after the allocation (which may grow and move the heap).
  const dst = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
  dst.fill(0);
  unsortedSegmentSumInto(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(segmentIds), inner, numSegments, dst);
  return out;
}

/** UnsortedSegmentSum for wasm (which registers none; gather's gradient, e.g. an Embedding layer's): one JS pass over the heap. */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: kernel,
};
