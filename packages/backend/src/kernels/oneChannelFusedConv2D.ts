import {
  backend_util,
  engine,
  tensor,
  tidy,
  zeros,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv1ForwardOn, forwardBlockFor } from './simdConv2DOneChannel';
import { tapTable } from './tapTable';
import { tensorOf } from './tensorOf';
import { addressOf, memoryOf } from './wasmAssembler';

type Args = Parameters<KernelFunc>[0];

/** Whether the assembled kernel covers this call: NHWC, one float32 input channel, a [co] bias or none, ReLU or none. */
function covered({ inputs, attrs }: Args): boolean {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const a = attrs as unknown as FusedConv2DAttrs;
  if (x == null || filter == null || preluActivationWeights != null || (a.dataFormat ?? 'NHWC') !== 'NHWC') return false;
  if (a.activation !== undefined && a.activation !== 'linear' && a.activation !== 'relu') return false;
  const co = filter.shape[3];
  if (x.shape.length !== 4 || filter.shape.length !== 4 || x.shape[3] !== 1 || co === undefined || forwardBlockFor(co, 8) === null) return false;
  if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== co || bias.dtype !== 'float32')) return false;
  return x.dtype === 'float32' && filter.dtype === 'float32';
}

/** The call by the assembled function, or null where it is unavailable (no SIMD) or there is nothing to compute. */
function oneChannelConv(args: Args): TensorInfo | null {
  const a = args.attrs as unknown as FusedConv2DAttrs;
  const { inputs } = args;
  const x = inputs.x!, filter = inputs.filter!;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  if (n * ho * wo === 0) return null;
  const backend = engine().backend as BackendWasm;
  const memory = memoryOf(backend);
  const run = memory ? conv1ForwardOn(memory, forwardBlockFor(co, 8)!, forwardBlockFor(co, 4)!, a.activation === 'relu') : null;
  if (run === null) return null;
  return tidy(() => {
    const xt = tensorOf(x, 'FusedConv2D', 'x'), ft = tensorOf(filter, 'FusedConv2D', 'filter');
    const bias = inputs.bias == null ? zeros([co]) : tensorOf(inputs.bias, 'FusedConv2D', 'bias');
    const { top, left } = info.padInfo;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    // Output index o reads input index o·stride + t·dilation − before through tap t.
    const rows = tensor(tapTable(ho, kh, h, w * 4, kw * co * 4, (o, t) => o * sh + t * dh - top), undefined, 'int32');
    const cols = tensor(tapTable(wo, kw, w, 4, co * 4, (o, t) => o * sw + t * dw - left), undefined, 'int32');
    // Pairs of outputs where every column tap lands in x: j·sw − left ≥ 0 and j·sw + (kw − 1)·dw − left < w.
    const lo = Math.ceil(left / sw), hi = Math.min(wo, Math.ceil((w + left - (kw - 1) * dw) / sw));
    const j0 = hi - lo >= 2 ? lo : 0, j1 = hi - lo >= 2 ? lo + 2 * Math.floor((hi - lo) / 2) : 0;
    const out = backend.makeOutput([n, ho, wo, co], 'float32');
    run(
      addressOf(backend, xt), addressOf(backend, ft), addressOf(backend, bias), addressOf(backend, out),
      addressOf(backend, rows), addressOf(backend, cols), n, ho, wo, co, h * w * 4, (1 + 2 * kh) * 4, (1 + 2 * kw) * 4, sw * 4, j0, j1,
    );
    return engine().makeTensorFromTensorInfo(out);
  });
}

/**
 * FusedConv2D for wasm with one input channel (a first conv layer) by an assembled SIMD function
 * ({@link conv1ForwardOn}): NHWC, float32, bias of [co] or none, ReLU or linear, co % 4 === 0. Every
 * other call goes to `fallback` (the stock kernel, as wrapped for 'same' padding).
 */
export function makeOneChannelFusedConv2DConfig(fallback: KernelConfig): KernelConfig {
  const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => (covered(args) ? oneChannelConv(args) : null) ?? fallback.kernelFunc(args);
  return { ...fallback, kernelFunc };
}
