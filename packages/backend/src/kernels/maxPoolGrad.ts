import { backend_util, MaxPoolGrad, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type MaxPoolGradInputs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { maxPool2x2GradOn } from './simdMaxPool2x2Grad';
import { memoryOf } from './wasmAssembler';

/**
 * dx of a max pool, NHWC, on flat arrays: each window's dy goes to the first position (row-major
 * within the window) holding the window's max, as the cpu backend does; windows whose values are all
 * NaN or −∞ pass nothing. `dx` must be zero-filled.
 */
export function maxPoolGradInto(
  x: ArrayLike<number>, // [n, h, w, c]
  dy: ArrayLike<number>, // [n, ho, wo, c]
  dx: Float32Array, // [n, h, w, c], zeros
  info: backend_util.Conv2DInfo,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: kh, effectiveFilterWidth: kw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && 2 * ho <= h && 2 * wo <= w) {
    maxPool2x2GradInto(x, dy, dx, n, h, w, c, ho, wo);
    return;
  }
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      const r0 = i * sh - top;
      let rMin = r0;
      while (rMin < 0) rMin += dh;
      const rMax = Math.min(h, r0 + kh);
      for (let j = 0; j < wo; j++) {
        const c0 = j * sw - left;
        let cMin = c0;
        while (cMin < 0) cMin += dw;
        const cMax = Math.min(w, c0 + kw);
        const out = ((b * ho + i) * wo + j) * c;
        for (let d = 0; d < c; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let r = rMin; r < rMax; r += dh) {
            for (let q = cMin; q < cMax; q += dw) {
              const k = ((b * h + r) * w + q) * c + d;
              const v = x[k]!;
              if (v > best) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + dy[out + d]!;
        }
      }
    }
  }
}

/** The common 2×2, stride 2 pool without padding, unrolled (same first-max rule). */
function maxPool2x2GradInto(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  dx: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  ho: number,
  wo: number,
): void {
  const down = w * c;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const base = ((b * h + 2 * i) * w + 2 * j) * c;
        const out = ((b * ho + i) * wo + j) * c;
        for (let d = 0; d < c; d++) {
          const k0 = base + d, k1 = k0 + c, k2 = k0 + down, k3 = k2 + c;
          let at = -1;
          let best = Number.NEGATIVE_INFINITY;
          const v0 = x[k0]!, v1 = x[k1]!, v2 = x[k2]!, v3 = x[k3]!;
          if (v0 > best) { best = v0; at = k0; }
          if (v1 > best) { best = v1; at = k1; }
          if (v2 > best) { best = v2; at = k2; }
          if (v3 > best) { at = k3; }
          if (at >= 0) dx[at] = dy[out + d]!;
        }
      }
    }
  }
}

function maxPoolGradKernel({ inputs, attrs, backend }: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, input } = inputs as unknown as MaxPoolGradInputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  if (dy == null || input == null) throw new Error("MaxPoolGrad (wasm training kernel): inputs 'dy' and 'input' are required");
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`MaxPoolGrad (wasm training kernel): float32 tensors only, got input ${input.dtype} and dy ${dy.dtype}`);
  }
  const wasm = backend as BackendWasm;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const out = wasm.makeOutput(input.shape, 'float32');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const tiled2x2 =
    info.effectiveFilterHeight === 2 && info.effectiveFilterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 &&
    info.padInfo.top === 0 && info.padInfo.left === 0 && 2 * ho <= h && 2 * wo <= w;
  const memory = tiled2x2 && c % 4 === 0 ? memoryOf(wasm) : null;
  const simd = memory ? maxPool2x2GradOn(memory) : null;
  if (simd) {
    // Writes every position of the tiled region; rows or columns past it (odd sizes) stay 0.
    if (2 * ho < h || 2 * wo < w) (wasm.typedArrayFromHeap(out) as Float32Array).fill(0);
    const at = (t: TensorInfo): number => wasm.dataIdMap.get(t.dataId)!.memoryOffset;
    simd(at(input), at(dy), at(out), n, h, w, ho, wo, c);
    return out;
  }
  // Views on the wasm heap, taken after the allocation (which may grow and move the heap).
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  maxPoolGradInto(wasm.typedArrayFromHeap(input), wasm.typedArrayFromHeap(dy), dx, info);
  return out;
}

/**
 * MaxPoolGrad for wasm, exact as the cpu backend's: the common 2×2 stride-2 pool with a multiple of 4
 * channels by a WebAssembly SIMD function on the backend's memory ({@link maxPool2x2GradOn}), every
 * other pool by one pass over the wasm heap in JavaScript.
 * wasm's stock kernel sends ties to the last max and drops windows whose values are all ≤ 0 (its
 * running max starts at FLT_MIN), which after a ReLU is most windows of zeros.
 */
export function makeMaxPoolGradConfig(stock: KernelConfig | undefined): KernelConfig {
  return {
    kernelName: MaxPoolGrad,
    backendName: 'wasm',
    kernelFunc: maxPoolGradKernel,
    ...(stock?.setupFunc ? { setupFunc: stock.setupFunc } : {}),
  };
}
