import {
  addN,
  backend_util,
  equal,
  logicalAnd,
  logicalNot,
  logicalOr,
  MaxPoolGrad,
  reshape,
  stack,
  stridedSlice,
  tidy,
  where,
  zerosLike,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type MaxPoolGradInputs,
  type Tensor,
  type Tensor4D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { spreadByStride } from './conv2DBackpropInput';
import { padOrCrop } from './padOrCrop';
import { tensorOf } from './tensorOf';

/**
 * The gradient of a max pool: each window's dy goes to the first position (row-major within the
 * window) that holds the window's max, as the cpu backend does. Built from one strided slice and a
 * few element-wise ops per window offset, instead of wasm's per-element loop.
 */
export function maxPoolGradNHWC(
  dy: Tensor4D, // [n, ho, wo, c]
  x: Tensor4D, // [n, h, w, c]
  y: Tensor4D, // [n, ho, wo, c], the pool's output
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: MaxPoolGradAttrs['pad'],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  return tidy(() => {
    const info = backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo } = info;
    const [n, h, w, c] = x.shape;
    const top = info.padInfo.top, left = info.padInfo.left;
    // Padding positions can never be a window's max.
    const xP = padOrCrop(
      x,
      top,
      Math.max(0, (ho - 1) * sh + kh - h - top),
      left,
      Math.max(0, (wo - 1) * sw + kw - w - left),
      Number.NEGATIVE_INFINITY,
    ); // [n, ≥(ho−1)·sh+kh, ≥(wo−1)·sw+kw, c]
    const zero = zerosLike(dy);
    let taken: Tensor | null = null;
    const parts: Tensor4D[][] = [];
    for (let p = 0; p < kh; p++) {
      const row: Tensor4D[] = [];
      for (let q = 0; q < kw; q++) {
        const xs = stridedSlice(xP, [0, p, q, 0], [n, p + (ho - 1) * sh + 1, q + (wo - 1) * sw + 1, c], [1, sh, sw, 1]);
        const hit = equal(xs, y); // [n, ho, wo, c]
        const first: Tensor = taken === null ? hit : logicalAnd(hit, logicalNot(taken));
        taken = taken === null ? hit : logicalOr(taken, hit);
        row.push(where(first, dy, zero));
      }
      parts.push(row);
    }
    if (kh === sh && kw === sw && top === 0 && left === 0) {
      // Windows tile the input: interleave the per-offset gradients ([n, ho, kh, wo, kw, c]).
      const tiled = stack(parts.map((row) => stack(row, 3)), 2); // [n, ho, kh, wo, kw, c]
      const dx: Tensor4D = reshape(tiled, [n, ho * kh, wo * kw, c]);
      return padOrCrop(dx, 0, h - ho * kh, 0, w - wo * kw);
    }
    // Overlapping or padded windows: lay each offset's gradient on the input grid and sum.
    const placed = parts.flatMap((row, p) =>
      row.map((g, q) => {
        const spread = spreadByStride(g, sh, sw); // [n, ho·sh, wo·sw, c]
        return padOrCrop(spread, p - top, h - (p - top) - ho * sh, q - left, w - (q - left) - wo * sw);
      }),
    );
    return placed.length === 1 ? placed[0]! : (addN(placed) as Tensor4D);
  });
}

function maxPoolGradKernel({ inputs, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, input, output } = inputs as unknown as MaxPoolGradInputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  return tidy(() =>
    maxPoolGradNHWC(
      tensorOf<Tensor4D>(dy, 'MaxPoolGrad', 'dy'),
      tensorOf<Tensor4D>(input, 'MaxPoolGrad', 'input'),
      tensorOf<Tensor4D>(output, 'MaxPoolGrad', 'output'),
      filterSize,
      strides,
      pad,
      dimRoundingMode,
    ),
  );
}

/** MaxPoolGrad for wasm through strided slices and element-wise ops (wasm's own is a plain loop). */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradKernel,
};
