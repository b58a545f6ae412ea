import { backend_util, relu, type FusedConv2DAttrs, type KernelConfig, type KernelFunc, type Tensor, type Tensor1D, type Tensor4D, type TensorInfo } from '@tensorflow/tfjs-core';
import { correlate, forwardByCorrelation } from './correlate';
import { correlationBlockFor } from './simdCorrelation';
import { spatialPair } from './spatialPair';
import { tensorOf } from './tensorOf';
import { tidyOrNull } from './tidyOrNull';

type Args = Parameters<KernelFunc>[0];

/**
 * Input channels the correlation is faster than XNNPACK's conv for, measured at 3×3 filters: 1.1–1.4× from 4 to
 * 128 channels; even at 3, slower (0.84×) at 256, where XNNPACK's packed filter fits its cache better.
 */
const MIN_CHANNELS = 4, MAX_CHANNELS = 128;

/** The call's padding, when the correlation covers it: NHWC float32, stride and dilation 1, a [c] bias or none, ReLU or linear. */
function coveredPadding({ inputs, attrs }: Args): backend_util.PadInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const a = attrs as unknown as FusedConv2DAttrs;
  if (!forwardByCorrelation() || x == null || filter == null || preluActivationWeights != null || (a.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  if (a.activation !== undefined && a.activation !== 'linear' && a.activation !== 'relu') return null;
  if (x.shape.length !== 4 || filter.shape.length !== 4 || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const [k, c] = [filter.shape[2]!, filter.shape[3]!];
  if (k < MIN_CHANNELS || k > MAX_CHANNELS || correlationBlockFor(c) === null) return null;
  if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== c || bias.dtype !== 'float32')) return null;
  if (spatialPair(a.strides).some((s) => s !== 1) || spatialPair(a.dilations).some((d) => d !== 1)) return null;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    1, 1, a.pad, a.dimRoundingMode,
  );
  return info.padInfo;
}

/**
 * Conv2D and FusedConv2D for wasm by the SIMD correlation (`correlate`) where it is faster: XNNPACK on one thread
 * (`forwardByCorrelation`), NHWC, float32, stride and dilation 1, 4 to 128 input channels, a multiple of 4 output
 * channels, a [c] bias or none, ReLU or linear.
 * Each sum starts at the bias and runs over the taps row by row, then the channels, as XNNPACK's conv does, so the
 * values are the same bit for bit (tested); the filter is read in place where XNNPACK packs it at every call.
 * Every other call goes to `fallback`.
 */
export function makeCorrelationConv2DConfig(fallback: KernelConfig): KernelConfig {
  const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => {
    const pad = coveredPadding(args);
    if (pad === null) return fallback.kernelFunc(args);
    const relus = (args.attrs as unknown as FusedConv2DAttrs).activation === 'relu';
    const out = tidyOrNull(() => {
      const x = tensorOf<Tensor4D>(args.inputs.x, 'Conv2D', 'x');
      const filter = tensorOf<Tensor4D>(args.inputs.filter, 'Conv2D', 'filter');
      const bias = args.inputs.bias == null ? undefined : tensorOf<Tensor1D>(args.inputs.bias, 'Conv2D', 'bias');
      const y: Tensor | null = correlate({ x, pad: [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]] }, filter, bias);
      return y !== null && relus ? relu(y) : y; // null where the correlation does not apply (no SIMD)
    });
    return out ?? fallback.kernelFunc(args);
  };
  return { ...fallback, kernelFunc };
}
