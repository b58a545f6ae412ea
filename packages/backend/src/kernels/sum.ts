import { Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { columnSumsOn } from './simdColumnSums';
import { addressOf, memoryOf } from './wasmAssembler';

/**
 * The reduced axes when they are exactly the leading ones (0 … k−1, k < rank), as in the bias
 * gradient of a conv or dense layer (sum over batch and positions, per channel); else null.
 */
export function leadingAxes(shape: readonly number[], axis: number | number[]): number | null {
  const rank = shape.length;
  const axes = [...new Set(util.parseAxisParam(axis, shape as number[]))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return null;
  return axes.every((a, i) => a === i) ? axes.length : null;
}

/**
 * Column sums of a row-major [rows, cols] array, each accumulated in float64 in row order, four
 * columns at a time so the running sums stay in registers; each multiplied by `scale` (1: sums).
 */
export function sumRowsInto(x: ArrayLike<number>, rows: number, cols: number, out: Float32Array, scale = 1): void {
  const end = rows * cols;
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = c; i < end; i += cols) {
      s0 += x[i]!;
      s1 += x[i + 1]!;
      s2 += x[i + 2]!;
      s3 += x[i + 3]!;
    }
    out[c] = s0 * scale;
    out[c + 1] = s1 * scale;
    out[c + 2] = s2 * scale;
    out[c + 3] = s3 * scale;
  }
  for (; c < cols; c++) {
    let s = 0;
    for (let i = c; i < end; i += cols) s += x[i]!;
    out[c] = s * scale;
  }
}

/**
 * A reduction over leading axes of a float32 tensor for wasm, one contiguous pass over the wasm heap (wasm's stock
 * kernel first transposes the reduced axes innermost: a strided copy of the whole tensor), each column sum divided
 * by `divisor(rows)` (as a product with its float64 reciprocal): by an assembled SIMD function where the columns
 * come in fours ({@link columnSumsOn}), else in JavaScript, with the same float64 sums. Everything else goes to the
 * stock kernel.
 */
export function makeLeadingAxesReduction(kernelName: string, stock: KernelConfig, divisor: (rows: number) => number): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    if (x == null || x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0) return stock.kernelFunc(args);
    const k = leadingAxes(x.shape, axis);
    if (k === null) return stock.kernelFunc(args);
    const backend = args.backend as BackendWasm;
    const kept = x.shape.slice(k);
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const cols = util.sizeFromShape(kept);
    const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept, 'float32');
    const memory = cols % 4 === 0 ? memoryOf(backend) : null;
    const simd = memory ? columnSumsOn(memory) : null;
    if (simd) {
      simd(addressOf(backend, x), addressOf(backend, out), rows, cols, divisor(rows));
      return out;
    }
    // Views on the wasm heap, taken after the allocation (which may grow and move the heap).
    sumRowsInto(backend.typedArrayFromHeap(x), rows, cols, backend.typedArrayFromHeap(out) as Float32Array, 1 / divisor(rows));
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}

/** Sum for wasm over leading axes (a conv's or dense layer's bias gradient), as {@link makeLeadingAxesReduction}. */
export function makeSumConfig(stock: KernelConfig): KernelConfig {
  return makeLeadingAxesReduction(Sum, stock, () => 1);
}
