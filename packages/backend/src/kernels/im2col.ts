import { engine, type backend_util, type Tensor2D, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addressOf, memoryOf } from './wasmAssembler';
import { im2colRowOn } from './wasmIm2col';

/** The JS fill of {@link im2colTransposed}'s patch matrix from x's values into `dst` (all of it). */
export function im2colTransposedInto(src: Float32Array, dst: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const positions = n * ho * wo;
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      for (let c = 0; c < ci; c++) {
        let o = ((p * kw + q) * ci + c) * positions;
        for (let b = 0; b < n; b++) {
          for (let i = 0; i < ho; i++) {
            const r = i * sh + p * dh - top;
            if (r < 0 || r >= h) {
              dst.fill(0, o, o + wo);
              o += wo;
              continue;
            }
            const rowBase = (b * h + r) * w;
            for (let j = 0; j < wo; j++) {
              const col = j * sw + q * dw - left;
              dst[o++] = col < 0 || col >= w ? 0 : src[(rowBase + col) * ci + c]!;
            }
          }
        }
      }
    }
  }
}

/**
 * The transposed patch matrix of a convolution, [kh·kw·ci, n·ho·wo]: row (p·kw + q)·ci + c holds, for every output position, the input
 * value under filter tap (p, q) in channel c (0 in the padding). dW = patchesᵀ·dy is then one plain
 * XNNPACK matmul. Filled row by row by a WebAssembly function on the backend's memory where it can be
 * assembled ({@link im2colRowOn}; about 3× faster), else in JS ({@link im2colTransposedInto}). Returns a tracked tensor: call inside a tidy.
 */
export function im2colTransposed(x: TensorInfo, info: backend_util.Conv2DInfo): Tensor2D {
  const backend = engine().backend as BackendWasm;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const positions = n * ho * wo;
  const out = backend.makeOutput([kh * kw * ci, positions], 'float32');
  const memory = memoryOf(backend);
  const row = memory ? im2colRowOn(memory) : null;
  if (row) {
    const xAt = addressOf(backend, x), outAt = addressOf(backend, out);
    for (let p = 0; p < kh; p++) {
      for (let q = 0; q < kw; q++) {
        const colStart = q * dw - left;
        const j0 = Math.min(wo, Math.max(0, Math.ceil(-colStart / sw)));
        const j1 = Math.max(j0, Math.min(wo, Math.floor((w - 1 - colStart) / sw) + 1));
        for (let c = 0; c < ci; c++) {
          row(xAt, outAt + ((p * kw + q) * ci + c) * positions * 4, n, h, w, ci, ho, wo, c, p * dh - top, sh, colStart, sw, j0, j1);
        }
      }
    }
    return engine().makeTensorFromTensorInfo(out) as Tensor2D;
  }
  // Views on the wasm heap, taken after the allocation (which may grow and move the heap).
  im2colTransposedInto(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array, info);
  return engine().makeTensorFromTensorInfo(out) as Tensor2D;
}
