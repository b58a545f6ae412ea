import {
  backend_util,
  depthwiseConv2d,
  DepthwiseConv2dNativeBackpropInput,
  reshape,
  reverse,
  sum,
  zeros,
  tidy,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type Tensor4D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { spreadByStride } from './conv2DBackpropInput';
import { cropForPadding } from './padOrCrop';
import { tensorOf } from './tensorOf';

/**
 * dx of a depthwise conv, NHWC: dx[n, r, s, c] = Σ_{p, q, k} dy[n, i, j, c·m + k] · f[p, q, c, k]
 * over the output positions (i, j) whose tap (p, q) lands on (r, s). One stride-1 XNNPACK depthwise
 * conv of dy (spread by the stride) with the filter rotated 180° (same dilation), then, for a channel
 * multiplier m > 1, a sum over the m outputs of each input channel.
 */
export function depthwiseConv2dBackpropInputNHWC(
  dy: Tensor4D, // [n, ho, wo, ci·m]
  filter: Tensor4D, // [kh, kw, ci, m]
  inputShape: [number, number, number, number], // [n, h, w, ci]
  strides: number | [number, number],
  pad: DepthwiseConv2dNativeBackpropInputAttrs['pad'],
  dilations: number | [number, number] = 1,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  return tidy(() => {
    const info = backend_util.computeConv2DInfo(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true);
    const [kh, kw, ci, m] = filter.shape;
    const [n, h, w] = inputShape;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { effectiveFilterHeight: ekh, effectiveFilterWidth: ekw } = info;
    const spread = spreadByStride(dy, sh, sw); // [n, ho·sh, wo·sw, ci·m]
    // As for a dense conv (see conv2DBackpropInputNHWC), with the dilated filter's extent.
    const top = ekh - 1 - info.padInfo.top;
    const left = ekw - 1 - info.padInfo.left;
    const bottom = h + ekh - 1 - top - spread.shape[1];
    const right = w + ekw - 1 - left - spread.shape[2];
    const padded = cropForPadding(spread, top, bottom, left, right); // [n, h + ekh − 1, w + ekw − 1, ci·m]
    if (padded.x.size === 0) return zeros(inputShape); // every tap lands in the padding
    const rotated: Tensor4D = reshape(reverse(filter, [0, 1]), [kh, kw, ci * m, 1]);
    const perOutput = depthwiseConv2d(padded.x, rotated, 1, padded.pad, 'NHWC', [dh, dw]); // [n, h, w, ci·m]
    if (m === 1) return perOutput;
    return sum(reshape(perOutput, [n, h, w, ci, m]), 4); // [n, h, w, ci]
  });
}

function kernel({ inputs, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, filter } = inputs as unknown as DepthwiseConv2dNativeBackpropInputInputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  return tidy(() => {
    const dy4 = tensorOf<Tensor4D>(dy, 'DepthwiseConv2dNativeBackpropInput', 'dy');
    const f = tensorOf<Tensor4D>(filter, 'DepthwiseConv2dNativeBackpropInput', 'filter');
    return depthwiseConv2dBackpropInputNHWC(dy4, f, inputShape, strides, pad, dilations, dimRoundingMode);
  });
}

/** DepthwiseConv2dNativeBackpropInput for wasm (which registers none), through XNNPACK's depthwise conv. */
export const depthwiseConv2dBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: kernel,
};
