import {
  BatchMatMul,
  matMul,
  reshape,
  tidy,
  transpose,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type KernelFunc,
  type Tensor,
  type Tensor4D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { correlate, forwardByCorrelation } from './correlate';
import { tensorOf } from './tensorOf';
import { tidyOrNull } from './tidyOrNull';

/**
 * Cost of XNNPACK packing the right operand of a matmul (it does so for every new right operand),
 * per element, in units of a transpose's cost per element: measured 5–10× on this backend.
 */
const PACK_COST = 8;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Swaps the last two axes (an explicit copy). */
function transposeInner(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(t, perm);
}

/**
 * Picks how to run op(A)·op(B) as plain matmuls: either transpose the operands that need it and
 * multiply (XNNPACK packs op(B)), or compute (op(B)ᵀ·op(A)ᵀ)ᵀ (XNNPACK packs op(A)ᵀ, plus one
 * transpose of the result). Returns true for the second. A Dense layer's dx = dy·Wᵀ takes the second
 * (it packs the small dyᵀ instead of the large Wᵀ), its dW = xᵀ·dy the first. Where the correlation
 * runs the plain matmul nothing is packed, and the transposes alone make the same choices for Dense
 * layers (dy is the small operand either way).
 */
export function swapOperands(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): boolean {
  const a = size(aShape), b = size(bShape);
  const m = aShape[aShape.length - (transposeA ? 1 : 2)]!;
  const n = bShape[bShape.length - (transposeB ? 2 : 1)]!;
  const batch = Math.max(size(aShape.slice(0, -2)), size(bShape.slice(0, -2)));
  const direct = (transposeA ? a : 0) + (transposeB ? b : 0) + PACK_COST * b;
  const swapped = (transposeB ? 0 : b) + (transposeA ? 0 : a) + PACK_COST * a + batch * m * n;
  return swapped < direct;
}

/**
 * A·B for a float32 B of one matrix ([K, N], or [1, K, N] broadcast over A's batch) by the SIMD correlation
 * (a 1×1 correlation over the B·M rows of A is this matmul): bit-identical to XNNPACK's, which sums over k in
 * the same order, and faster, as it reads B in place where XNNPACK packs it at every call (1.2–2.2× at a
 * Dense layer's shapes, measured, on one thread). Null where the correlation does not apply (N not a multiple of 4,
 * no SIMD, XNNPACK on more than one thread).
 */
function correlationMatMul(a: Tensor, b: Tensor): Tensor | null {
  const [k, n] = b.shape.slice(-2) as [number, number];
  if (!forwardByCorrelation() || a.dtype !== 'float32' || b.dtype !== 'float32' || size(b.shape.slice(0, -2)) !== 1 || a.shape.at(-1) !== k) return null;
  const m = size(a.shape) / k;
  const x = reshape(a, [1, 1, m, k]) as Tensor4D;
  const out = correlate({ x, pad: [[0, 0], [0, 0], [0, 0], [0, 0]] }, reshape(b, [1, 1, k, n]) as Tensor4D);
  return out && reshape(out, [...a.shape.slice(0, -1), n]);
}

/**
 * wasm's BatchMatMul uses XNNPACK only without transposes; with transposeA/transposeB (every Dense
 * gradient) it runs a plain loop, many times slower than explicit transposes and XNNPACK's matmul.
 * Calls without transposes go to the correlation where it applies, else to the stock kernel.
 */
export function makeBatchMatMulConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const { a, b } = args.inputs as unknown as BatchMatMulInputs;
    if (!transposeA && !transposeB) {
      const product = tidyOrNull(() => correlationMatMul(tensorOf(a, 'BatchMatMul', 'a'), tensorOf(b, 'BatchMatMul', 'b')));
      return product ?? stock.kernelFunc(args);
    }
    return tidy(() => {
      const at = tensorOf(a, 'BatchMatMul', 'a');
      const bt = tensorOf(b, 'BatchMatMul', 'b');
      // Each matMul below runs this kernel again, now without transposes.
      if (swapOperands(at.shape, bt.shape, transposeA, transposeB)) {
        const left = transposeB ? bt : transposeInner(bt); // op(B)ᵀ
        const right = transposeA ? at : transposeInner(at); // op(A)ᵀ
        return transposeInner(matMul(left, right)); // (op(B)ᵀ·op(A)ᵀ)ᵀ = op(A)·op(B)
      }
      return matMul(transposeA ? transposeInner(at) : at, transposeB ? transposeInner(bt) : bt);
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
