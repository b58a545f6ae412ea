import {
  backend_util,
  conv2d,
  engine,
  Conv2DBackpropFilter,
  matMul,
  reshape,
  tidy,
  transpose,
  zeros,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type Tensor4D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { im2colTransposed } from './im2col';
import { cropForPadding, padOrCrop } from './padOrCrop';
import { blockFor, conv2DFilterGradOn } from './simdConv2DBackpropFilter';
import { tensorOf } from './tensorOf';
import { addressOf, memoryOf } from './wasmAssembler';

/**
 * dW by the assembled SIMD function ({@link conv2DFilterGradOn}) on x with its padding written out, or
 * null where it does not apply (dilation, output channels not a multiple of 4, no SIMD, nothing to sum).
 */
function directFilterGrad(x: Tensor4D, dy: Tensor4D, info: backend_util.Conv2DInfo, filterShape: [number, number, number, number]): Tensor4D | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const block = blockFor(ci, co, kw);
  if (block === null || info.dilationHeight !== 1 || info.dilationWidth !== 1 || n * ho * wo * ci === 0) return null;
  const backend = engine().backend as BackendWasm;
  const memory = memoryOf(backend);
  const grad = memory ? conv2DFilterGradOn(memory, block) : null;
  if (grad === null) return null;
  // Pad (or crop) so that row i·sh + p and column j·sw + q exist for every output (i, j) and tap (p, q).
  const top = info.padInfo.top, left = info.padInfo.left;
  const xp = padOrCrop(x, top, (ho - 1) * sh + kh - top - h, left, (wo - 1) * sw + kw - left - w);
  const out = backend.makeOutput(filterShape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  grad(addressOf(backend, xp), addressOf(backend, dy), addressOf(backend, out), n, xp.shape[1], xp.shape[2], ci, ho, wo, co, kh, kw, sh, sw);
  return engine().makeTensorFromTensorInfo(out) as Tensor4D;
}

/**
 * dW[p, q, ci, co] = Σ_{n, i, j} x[n, i·s + p − padTop, j·s + q − padLeft, ci] · dy[n, i, j, co].
 * Directly by an assembled SIMD function where it applies (no dilation, co a multiple of 4); else two
 * ways, each one XNNPACK call: patchesᵀ·dy (patches built in one JS pass: cheap when x has few
 * channels, as a first conv layer), or a stride-1 convolution of x with its batch and channel axes
 * swapped ([ci, h, w, n]) by dy as a filter ([ho, wo, n, co]) dilated by the stride.
 */
export function conv2DBackpropFilterNHWC(
  x: Tensor4D, // [n, h, w, ci]
  dy: Tensor4D, // [n, ho, wo, co]
  filterShape: [number, number, number, number], // [kh, kw, ci, co]
  strides: number | [number, number],
  pad: Conv2DBackpropFilterAttrs['pad'],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  return tidy(() => {
    const info = backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
    const [kh, kw, , co] = filterShape;
    const { strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo } = info;
    const [n, h, w] = x.shape;
    const direct = directFilterGrad(x, dy, info, filterShape);
    if (direct !== null) return direct;
    // The patch matrix has kh·kw values per input value; the other way transposes dy (strided).
    if (kh * kw * x.size <= dy.size) {
      const patches = im2colTransposed(x, info); // [kh·kw·ci, n·ho·wo]
      const dW = matMul(patches, reshape(dy, [n * ho * wo, co])); // [kh·kw·ci, co]
      return reshape(dW, filterShape);
    }
    const top = info.padInfo.top, left = info.padInfo.left;
    // Rows the dilated dy "filter" needs: out size kh = h + top + bottom − (ho − 1)·sh.
    const bottom = kh - h - top + (ho - 1) * sh;
    const right = kw - w - left + (wo - 1) * sw;
    const xT = transpose(x, [3, 1, 2, 0]); // [ci, h, w, n]
    const padded = cropForPadding(xT, top, bottom, left, right); // padded: [ci, kh + (ho−1)·sh, kw + (wo−1)·sw, n]
    if (padded.x.size === 0) return zeros(filterShape); // every tap reads only padding
    const dyT = transpose(dy, [1, 2, 0, 3]); // [ho, wo, n, co]
    const dW = conv2d(padded.x, dyT, 1, padded.pad, 'NHWC', [sh, sw]); // [ci, kh, kw, co]
    return transpose(dW, [1, 2, 0, 3]); // [kh, kw, ci, co]
  });
}

function conv2DBackpropFilterKernel({ inputs, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as unknown as Conv2DBackpropFilterInputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  return tidy(() => {
    let x4 = tensorOf<Tensor4D>(x, 'Conv2DBackpropFilter', 'x');
    let dy4 = tensorOf<Tensor4D>(dy, 'Conv2DBackpropFilter', 'dy');
    if (dataFormat === 'NCHW') {
      x4 = transpose(x4, [0, 2, 3, 1]); // [n, h, w, ci]
      dy4 = transpose(dy4, [0, 2, 3, 1]); // [n, ho, wo, co]
    }
    return conv2DBackpropFilterNHWC(x4, dy4, filterShape, strides, pad, dimRoundingMode);
  });
}

/** Conv2DBackpropFilter for wasm (which registers none), built on wasm's XNNPACK conv2d. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterKernel,
};
