import { Tile, util, type KernelConfig, type KernelFunc, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * How many whole copies of x, one after another, `tile(x, reps)` is, or null when it is not: true
 * when every axis before the last one with a rep > 1 has size 1 in x (e.g. [1, 1, 1, c] tiled to
 * [n, h, w, c], as BatchNormalization's gradient does with its per-channel factors).
 */
export function blockRepeats(shape: readonly number[], reps: readonly number[]): number | null {
  if (reps.length !== shape.length) return null;
  let last = -1;
  for (let i = 0; i < reps.length; i++) if (reps[i]! > 1) last = i;
  for (let i = 0; i < last; i++) if (shape[i] !== 1) return null;
  return util.sizeFromShape(reps as number[]);
}

/**
 * Tile for wasm: when the result is whole copies of x (see {@link blockRepeats}), one copy and then
 * doubling block copies over the wasm heap (memcpy speed); wasm's stock kernel walks every output
 * element. Everything else goes to the stock kernel.
 */
export function makeTileConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x;
    const { reps } = args.attrs as unknown as TileAttrs;
    if (x == null || (x.dtype !== 'float32' && x.dtype !== 'int32')) return stock.kernelFunc(args);
    const copies = blockRepeats(x.shape, reps);
    const size = util.sizeFromShape(x.shape);
    if (copies === null || size === 0) return stock.kernelFunc(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(x.shape.map((d, i) => d * reps[i]!), x.dtype);
    // Views on the wasm heap, taken after the allocation (which may grow and move the heap).
    const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
    dst.set(backend.typedArrayFromHeap(x) as Float32Array | Int32Array);
    const total = size * copies;
    for (let filled = size; filled < total; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, total - filled));
    return out;
  };
  return { kernelName: Tile, backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}
