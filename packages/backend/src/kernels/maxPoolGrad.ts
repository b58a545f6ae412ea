import {
  add,
  addN,
  backend_util,
  equal,
  logicalAnd,
  logicalNot,
  logicalOr,
  maxPool,
  MaxPoolGrad,
  mul,
  reshape,
  sign,
  step,
  stridedSlice,
  sub,
  tensor,
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

/** True when the pool's windows tile its (padded) input: stride = window, as in the usual 2×2 pool. */
export function poolWindowsTile(
  xShape: [number, number, number, number],
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: MaxPoolGradAttrs['pad'],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): boolean {
  const info = backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad, dimRoundingMode);
  return info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth;
}

/**
 * The gradient of a max pool whose windows tile the input: each window's dy goes to the first
 * position (row-major within the window) that holds the window's max, as the cpu backend does.
 * Only element-wise ops and one XNNPACK max pool: wasm compares, tiles and strided-slices slowly,
 * so "is the max" is sign(x − y) = 0 and the first max is found by pooling a per-position rank.
 */
export function maxPoolGradTiled(
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
    const { filterHeight: kh, filterWidth: kw, outHeight: ho, outWidth: wo } = info;
    if (info.strideHeight !== kh || info.strideWidth !== kw) throw new Error('maxPoolGradTiled: the windows must tile the input (stride = window)');
    const [n, h, w, c] = x.shape;
    const top = info.padInfo.top, left = info.padInfo.left;
    // On the padded grid every window is a [kh, kw] block: view it as [n·ho, kh, wo, kw, c].
    const xP = padOrCrop(x, top, ho * kh - h - top, left, wo * kw - w - left, Number.NEGATIVE_INFINITY);
    const blocks = [n * ho, kh, wo, kw, c];
    const xB = reshape(xP, blocks); // [n·ho, kh, wo, kw, c]
    const yB = reshape(y, [n * ho, 1, wo, 1, c]);
    // sign(x − y) is 0 exactly where x is its window's max, −1 elsewhere. Adding a rank in (0, 1)
    // that falls along the window makes the window's first max its largest value.
    const k = kh * kw;
    const ranks = tensor(Array.from({ length: k }, (_, i) => (k - i) / (k + 1)), [1, kh, 1, kw, 1]);
    const score = add(sign(sub(xB, yB)), ranks); // [n·ho, kh, wo, kw, c]
    const best = maxPool(reshape(score, [n, ho * kh, wo * kw, c]) as Tensor4D, [kh, kw], [kh, kw], 'valid'); // [n, ho, wo, c]
    // score − best is 0 at the first max and ≤ −1/(k+1) elsewhere: a step halfway is the one-hot mask.
    const threshold = reshape(sub(best, 0.5 / (k + 1)), [n * ho, 1, wo, 1, c]);
    const first = step(sub(score, threshold)); // [n·ho, kh, wo, kw, c]
    const dx = mul(first, reshape(dy, [n * ho, 1, wo, 1, c])); // [n·ho, kh, wo, kw, c]
    return padOrCrop(reshape(dx, [n, ho * kh, wo * kw, c]), -top, h + top - ho * kh, -left, w + left - wo * kw);
  });
}

/**
 * The gradient of any max pool, as the cpu backend computes it (first max of each window), from one
 * strided slice and a few element-wise ops per window offset. Slower than {@link maxPoolGradTiled}
 * (wasm slices with strides slowly) but exact for overlapping and padded windows, where wasm's stock
 * kernel sends ties to the last max and ignores windows whose values are all ≤ 0.
 */
export function maxPoolGradGeneral(
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
    const placed: Tensor4D[] = [];
    for (let p = 0; p < kh; p++) {
      for (let q = 0; q < kw; q++) {
        const xs = stridedSlice(xP, [0, p, q, 0], [n, p + (ho - 1) * sh + 1, q + (wo - 1) * sw + 1, c], [1, sh, sw, 1]);
        const hit = equal(xs, y); // [n, ho, wo, c]
        const first: Tensor = taken === null ? hit : logicalAnd(hit, logicalNot(taken));
        taken = taken === null ? hit : logicalOr(taken, hit);
        const g: Tensor4D = where(first, dy, zero);
        // Lay this offset's gradient on the input grid: row p − top + i·sh for output row i.
        const spread = spreadByStride(g, sh, sw); // [n, ho·sh, wo·sw, c]
        placed.push(padOrCrop(spread, p - top, h - (p - top) - ho * sh, q - left, w - (q - left) - wo * sw));
      }
    }
    return placed.length === 1 ? placed[0]! : (addN(placed) as Tensor4D);
  });
}

/**
 * MaxPoolGrad for wasm, exact as the cpu backend's: tiling windows (the common 2×2/2 pool) through
 * {@link maxPoolGradTiled}, others through {@link maxPoolGradGeneral}.
 */
export function makeMaxPoolGradConfig(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const { dy, input, output } = args.inputs as unknown as MaxPoolGradInputs;
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
    if (input == null) throw new Error("MaxPoolGrad (wasm training kernel): missing input 'input'");
    const xShape = input.shape as [number, number, number, number];
    const grad = poolWindowsTile(xShape, filterSize, strides, pad, dimRoundingMode) ? maxPoolGradTiled : maxPoolGradGeneral;
    return tidy(() =>
      grad(
        tensorOf<Tensor4D>(dy, 'MaxPoolGrad', 'dy'),
        tensorOf<Tensor4D>(input, 'MaxPoolGrad', 'input'),
        tensorOf<Tensor4D>(output, 'MaxPoolGrad', 'output'),
        filterSize,
        strides,
        pad,
        dimRoundingMode,
      ),
    );
  };
  return {
    kernelName: MaxPoolGrad,
    backendName: 'wasm',
    kernelFunc,
    ...(stock?.setupFunc ? { setupFunc: stock.setupFunc } : {}),
  };
}
