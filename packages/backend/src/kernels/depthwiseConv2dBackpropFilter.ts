import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * dW of a depthwise conv, NHWC, on flat arrays: dW[p, q, c, k] = Σ_{n, i, j} x[n, i·s + p·d − top,
 * j·s + q·d − left, c] · dy[n, i, j, c·m + k], accumulated in float64 (as the cpu backend does). Tap by
 * tap, each input row's valid output positions at once, four channels at a time in registers. Its cost
 * is the forward conv's multiply-adds. (One XNNPACK depthwise conv of x, as a single image of n·c
 * channels, by dy as an ho×wo filter computes the same, but XNNPACK has no fast path for filters that
 * large: measured 2–3× slower than this at MobileNet's shapes.)
 */
export function depthwiseConv2dBackpropFilterInto(
  x: ArrayLike<number>, // [n, h, w, ci]
  dy: ArrayLike<number>, // [n, ho, wo, ci·m]
  info: backend_util.Conv2DInfo,
  out: Float32Array, // [kh, kw, ci, m]
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const m = co / ci;
  const acc = new Float64Array(co);
  const xStep = sw * ci;
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      acc.fill(0);
      // Output columns whose tap q lands inside the input row.
      const j0 = Math.max(0, Math.ceil((left - q * dw) / sw));
      const j1 = Math.min(wo, Math.floor((w - 1 + left - q * dw) / sw) + 1);
      for (let b = 0; b < n && j0 < j1; b++) {
        for (let i = 0; i < ho; i++) {
          const r = i * sh + p * dh - top;
          if (r < 0 || r >= h) continue;
          const g0 = ((b * ho + i) * wo + j0) * co;
          const x0 = ((b * h + r) * w + (j0 * sw + q * dw - left)) * ci;
          if (m === 1) {
            let c = 0;
            for (; c + 4 <= ci; c += 4) {
              let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
              for (let j = j0, g = g0 + c, xb = x0 + c; j < j1; j++, g += co, xb += xStep) {
                s0 += x[xb]! * dy[g]!;
                s1 += x[xb + 1]! * dy[g + 1]!;
                s2 += x[xb + 2]! * dy[g + 2]!;
                s3 += x[xb + 3]! * dy[g + 3]!;
              }
              acc[c] = acc[c]! + s0;
              acc[c + 1] = acc[c + 1]! + s1;
              acc[c + 2] = acc[c + 2]! + s2;
              acc[c + 3] = acc[c + 3]! + s3;
            }
            for (; c < ci; c++) {
              let s = 0;
              for (let j = j0, g = g0 + c, xb = x0 + c; j < j1; j++, g += co, xb += xStep) s += x[xb]! * dy[g]!;
              acc[c] = acc[c]! + s;
            }
          } else {
            for (let c = 0; c < ci; c++) {
              for (let k = 0, o = c * m; k < m; k++, o++) {
                let s = 0;
                for (let j = j0, g = g0 + o, xb = x0 + c; j < j1; j++, g += co, xb += xStep) s += x[xb]! * dy[g]!;
                acc[o] = acc[o]! + s;
              }
            }
          }
        }
      }
      out.set(acc, (p * kw + q) * co); // dW[p, q] is [ci, m] = co values, channel c·m + k
    }
  }
}

function kernel({ inputs, attrs, backend }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as unknown as DepthwiseConv2dNativeBackpropFilterInputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  if (x == null || dy == null) throw new Error("DepthwiseConv2dNativeBackpropFilter (wasm training kernel): inputs 'x' and 'dy' are required");
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`DepthwiseConv2dNativeBackpropFilter (wasm training kernel): float32 tensors only, got x ${x.dtype} and dy ${dy.dtype}`);
  }
  const wasm = backend as BackendWasm;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true);
  const out = wasm.makeOutput(filterShape, 'float32');
  // Views on the wasm heap, taken after the allocation (which may grow and move the heap).
  depthwiseConv2dBackpropFilterInto(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(dy), info, wasm.typedArrayFromHeap(out) as Float32Array);
  return out;
}

/** DepthwiseConv2dNativeBackpropFilter for wasm (which registers none): one JS pass over the heap. */
export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: kernel,
};
