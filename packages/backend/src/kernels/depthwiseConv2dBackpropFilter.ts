import {
  backend_util,
  depthwiseConv2d,
  DepthwiseConv2dNativeBackpropFilter,
  reshape,
  sum,
  tidy,
  zeros,
  transpose,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type Tensor4D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { cropForPadding } from './padOrCrop';
import { tensorOf } from './tensorOf';

/**
 * dW of a depthwise conv, NHWC: dW[p, q, c, k] = Σ_{n, i, j} x[n, i·s + p·d − top, j·s + q·d − left, c]
 * · dy[n, i, j, c·m + k]. For each (image, channel) pair that is a correlation of x's channel with dy's
 * m channels, so all of them are one XNNPACK depthwise conv: x as one image of n·ci channels
 * ([1, h, w, n·ci]) by dy as a filter ([ho, wo, n·ci, m]), with the forward conv's dilation as the
 * stride and its stride as the dilation; then a sum over the images.
 */
export function depthwiseConv2dBackpropFilterNHWC(
  x: Tensor4D, // [n, h, w, ci]
  dy: Tensor4D, // [n, ho, wo, ci·m]
  filterShape: [number, number, number, number], // [kh, kw, ci, m]
  strides: number | [number, number],
  pad: DepthwiseConv2dNativeBackpropFilterAttrs['pad'],
  dilations: number | [number, number] = 1,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  return tidy(() => {
    const info = backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
    const [kh, kw, ci, m] = filterShape;
    const [n, h, w] = x.shape;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight: ho, outWidth: wo } = info;
    const top = info.padInfo.top, left = info.padInfo.left;
    // The rows this conv reads: (kh − 1)·dh + (ho − 1)·sh + 1 from the top of the padding.
    const bottom = (kh - 1) * dh + (ho - 1) * sh + 1 - h - top;
    const right = (kw - 1) * dw + (wo - 1) * sw + 1 - w - left;
    const xT: Tensor4D = reshape(transpose(x, [1, 2, 0, 3]), [1, h, w, n * ci]);
    const padded = cropForPadding(xT, top, bottom, left, right);
    if (padded.x.size === 0) return zeros(filterShape); // every tap reads only padding
    const dyT: Tensor4D = reshape(transpose(dy, [1, 2, 0, 3]), [ho, wo, n * ci, m]);
    const perImage = depthwiseConv2d(padded.x, dyT, [dh, dw], padded.pad, 'NHWC', [sh, sw]); // [1, kh, kw, n·ci·m]
    if (n === 1) return reshape(perImage, filterShape);
    return reshape(sum(reshape(perImage, [kh, kw, n, ci * m]), 2), filterShape);
  });
}

function kernel({ inputs, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as unknown as DepthwiseConv2dNativeBackpropFilterInputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  return tidy(() => {
    const x4 = tensorOf<Tensor4D>(x, 'DepthwiseConv2dNativeBackpropFilter', 'x');
    const dy4 = tensorOf<Tensor4D>(dy, 'DepthwiseConv2dNativeBackpropFilter', 'dy');
    return depthwiseConv2dBackpropFilterNHWC(x4, dy4, filterShape, strides, pad, dilations, dimRoundingMode);
  });
}

/** DepthwiseConv2dNativeBackpropFilter for wasm (which registers none), through XNNPACK's depthwise conv. */
export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: kernel,
};
