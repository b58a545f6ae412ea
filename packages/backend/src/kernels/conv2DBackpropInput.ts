import {
  backend_util,
  conv2d,
  Conv2DBackpropInput,
  depthwiseConv2d,
  engine,
  pad as padOp,
  reshape,
  reverse,
  sum,
  tensor,
  tidy,
  transpose,
  zeros,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type Tensor4D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { correlate } from './correlate';
import { cropForPadding } from './padOrCrop';
import { conv1InputGradOn } from './simdConv2DBackpropInput';
import { tapTable } from './tapTable';
import { tensorOf } from './tensorOf';
import { addressOf, memoryOf } from './wasmAssembler';

/**
 * dx of a conv with one input channel by the assembled SIMD function ({@link conv1InputGradOn}), or null
 * where it does not apply (more input channels, output channels not a multiple of 4, no SIMD, empty).
 */
function oneChannelInputGrad(dy: Tensor4D, filter: Tensor4D, info: backend_util.Conv2DInfo): Tensor4D | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (ci !== 1 || co % 4 !== 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1 || dy.size === 0 || n * h * w === 0) return null;
  const backend = engine().backend as BackendWasm;
  const memory = memoryOf(backend);
  const grad = memory ? conv1InputGradOn(memory, co / 4) : null;
  if (grad === null) return null;
  // Input index o receives dy index (o + before − t) / stride from tap t, where that is a whole number.
  const rows = tensor(tapTable(h, kh, ho, wo * co * 4, kw * co * 4, (o, t) => (o + padInfo.top - t) / sh), undefined, 'int32');
  const cols = tensor(tapTable(w, kw, wo, co * 4, co * 4, (o, t) => (o + padInfo.left - t) / sw), undefined, 'int32');
  // Four at a time where every column tap lands in dy: x + left − (kw − 1) ≥ 0 and x + left < wo.
  const lo = Math.max(0, kw - 1 - padInfo.left), hi = Math.min(w, wo - padInfo.left);
  const x0 = sw === 1 && hi - lo >= 4 ? lo : 0;
  const x1 = x0 + (sw === 1 && hi - lo >= 4 ? 4 * Math.floor((hi - lo) / 4) : 0);
  const out = backend.makeOutput([n, h, w, 1], 'float32');
  grad(
    addressOf(backend, dy), addressOf(backend, filter), addressOf(backend, out), addressOf(backend, rows), addressOf(backend, cols),
    n, h, w, ho * wo * co * 4, (1 + 2 * kh) * 4, (1 + 2 * kw) * 4, x0, x1,
  );
  return engine().makeTensorFromTensorInfo(out) as Tensor4D;
}

/**
 * Inserts s−1 zeros after every row and column of dy (a stride-s conv's output gradient laid back
 * on the input grid). The result has ho·sh rows: the last sh−1 of them are zero.
 */
export function spreadByStride(dy: Tensor4D, sh: number, sw: number): Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, ho, wo, c] = dy.shape;
  return tidy(() => {
    const six = reshape(dy, [n, ho, 1, wo, 1, c]);
    const padded = padOp(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]); // [n, ho, sh, wo, sw, c]
    return reshape(padded, [n, ho * sh, wo * sw, c]);
  });
}

/**
 * dx = the correlation of dy (spread by the stride) with the filter rotated by 180° and its channel
 * axes swapped, instead of wasm's plain-loop Conv2DBackpropInput: by an assembled SIMD function
 * ({@link correlate}, 1.9× XNNPACK's conv2d at the lab's conv2) where the input channels are a multiple of
 * 4, else one stride-1 XNNPACK conv2d. With one input channel, another assembled SIMD function directly.
 */
export function conv2DBackpropInputNHWC(
  dy: Tensor4D, // [n, ho, wo, co]
  filter: Tensor4D, // [kh, kw, ci, co]
  inputShape: [number, number, number, number], // [n, h, w, ci]
  strides: number | [number, number],
  pad: Conv2DBackpropInputAttrs['pad'],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  return tidy(() => {
    const info = backend_util.computeConv2DInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode);
    const direct = oneChannelInputGrad(dy, filter, info);
    if (direct !== null) return direct;
    const [kh, kw] = filter.shape;
    const [, h, w] = inputShape;
    const { strideHeight: sh, strideWidth: sw } = info;
    const spread = spreadByStride(dy, sh, sw); // [n, ho·sh, wo·sw, co]
    // Input row r receives spread rows r + top − (kh−1) … r + top: pad kh−1−top above, and below
    // whatever makes the output h rows tall (negative amounts crop).
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = h + kh - 1 - top - spread.shape[1];
    const right = w + kw - 1 - left - spread.shape[2];
    const padded = cropForPadding(spread, top, bottom, left, right); // padded: [n, h + kh − 1, w + kw − 1, co]
    if (padded.x.size === 0) return zeros(inputShape); // no output position reaches the input
    const [, , ci, co] = filter.shape;
    if (ci === 1) {
      // One input channel where the SIMD function does not apply: XNNPACK's conv with one output
      // channel is slow; a depthwise conv per dy channel, then a sum over the channels, is not.
      const rotated: Tensor4D = reshape(reverse(filter, [0, 1]), [kh, kw, co, 1]); // [kh, kw, co, 1]
      const perChannel = depthwiseConv2d(padded.x, rotated, 1, padded.pad); // [n, h, w, co]
      return sum(perChannel, 3, true); // [n, h, w, 1]
    }
    const rotated = transpose(reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, co, ci]
    return correlate(padded, rotated) ?? conv2d(padded.x, rotated, 1, padded.pad); // [n, h, w, ci]
  });
}

function conv2DBackpropInputKernel({ inputs, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, filter } = inputs as unknown as Conv2DBackpropInputInputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  return tidy(() => {
    const f = tensorOf<Tensor4D>(filter, 'Conv2DBackpropInput', 'filter');
    let dy4 = tensorOf<Tensor4D>(dy, 'Conv2DBackpropInput', 'dy');
    if (dataFormat === 'NCHW') {
      const [n, c, h, w] = inputShape;
      dy4 = transpose(dy4, [0, 2, 3, 1]); // [n, ho, wo, co]
      const dx = conv2DBackpropInputNHWC(dy4, f, [n, h, w, c], strides, pad, dimRoundingMode);
      return transpose(dx, [0, 3, 1, 2]); // [n, ci, h, w]
    }
    return conv2DBackpropInputNHWC(dy4, f, inputShape, strides, pad, dimRoundingMode);
  });
}

/** Conv2DBackpropInput for wasm through XNNPACK's conv2d (wasm's own is a plain loop). */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputKernel,
};
