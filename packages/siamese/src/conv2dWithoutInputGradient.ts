import { Conv2DBackpropFilter, customGrad, engine, fused, reshape, sum, type GradSaveFunc, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

type AnyLayer = LayersModel['layers'][number];

interface Conv2DConfig {
  strides: [number, number];
  padding: 'same' | 'valid';
  dataFormat: 'channelsLast' | 'channelsFirst';
  dilationRate: [number, number];
  activation: string;
  activityRegularizer: unknown;
}

/**
 * A Conv2D layer's output as `layer.apply(x)` gives it, for an input whose gradient nobody asks for (the images of a
 * batch), with gradients for the kernel and bias only. A Conv2D with a linear activation runs tfjs's fused conv,
 * whose gradient computes the input's gradient eagerly: for the first layer that is a full Conv2DBackpropInput,
 * computed and thrown away. Here the input is a constant of the op, so that kernel never runs. The forward pass and
 * the kernel and bias gradients are the fused conv's own, kernel for kernel.
 *
 * @returns null for layers it does not cover (not a Conv2D, channels first, dilated, not linear, an activity
 * regulariser, an input not of rank 4); the caller then uses `layer.apply`.
 */
export function conv2dWithoutInputGradient(layer: AnyLayer, x: Tensor): Tensor | null {
  if (layer.getClassName() !== 'Conv2D' || x.rank !== 4) return null;
  const c = layer.getConfig() as unknown as Conv2DConfig;
  const covered = c.dataFormat === 'channelsLast' && c.activation === 'linear' && c.activityRegularizer == null;
  if (!covered || c.dilationRate.some((d) => d !== 1)) return null;
  // The variables Conv2D's own call reads (tfjs-layers keeps them as these fields).
  const weights = layer as unknown as { kernel?: { read(): Tensor } | null; bias?: { read(): Tensor } | null };
  if (weights.kernel == null) return null;
  const kernel = weights.kernel.read();
  const bias = weights.bias?.read();
  const { strides, padding: pad } = c;
  const conv = (filter: Tensor, b?: Tensor) => fused.conv2d({ x: x as Tensor4D, filter: filter as Tensor4D, strides, pad, bias: b, activation: 'linear' });
  // What tfjs's conv2DBackpropFilter op runs (the op itself is not exported). The images come from `saved`: the
  // caller's tidy may dispose x before the backward pass, and saving keeps it for the tape.
  const dFilter = (images: Tensor, dy: Tensor, filter: Tensor) =>
    engine().runKernel<Tensor>(Conv2DBackpropFilter, { x: images, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: filter.shape });
  const inputs = bias === undefined ? [kernel] : [kernel, bias];
  return customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [filter, b] = args.slice(0, inputs.length) as Tensor[];
    (args[inputs.length] as GradSaveFunc)([x]);
    const gradFunc = (dy: Tensor, [images]: Tensor[]) => {
      const dW = dFilter(images!, dy, filter!);
      return b === undefined ? dW : [dW, reshape(sum(dy, [0, 1, 2]), b.shape)];
    };
    return { value: conv(filter!, b), gradFunc };
  })(...inputs);
}
