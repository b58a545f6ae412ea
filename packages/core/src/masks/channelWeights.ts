import * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';

type Layer = layers.Layer;

/** Where one output channel lives in one weight of a layer. */
export interface ChannelWeight {
  /** Index into `layer.weights` / `layer.getWeights()`. */
  index: number;
  /** The weight's short name: `kernel`, `bias`, `pointwise_kernel`, `depthwise_kernel`. */
  name: string;
  /** Shape under which the channel axis is `axis` (a depthwise kernel [h,w,in,mult] is viewed as [h,w,in*mult]). */
  view: number[];
  /** The output-channel axis of `view`. */
  axis: number;
}

/** The output channels of a weighted layer: how many, and the weights that hold each one. */
export interface ChannelLayout {
  /** The layer's canonical path. */
  path: string;
  /** The layer's class name. */
  className: string;
  /** Number of output channels (units of a Dense). */
  channels: number;
  /** The weight holding each channel's filter (the kernel). */
  kernel: ChannelWeight;
  /** The bias, when the layer has one. */
  bias: ChannelWeight | null;
}

/** The classes whose output channels sit along the kernel's last axis, with the kernel's weight name. */
const LAST_AXIS: Record<string, string> = {
  Dense: 'kernel',
  Conv1D: 'kernel',
  Conv2D: 'kernel',
  Conv3D: 'kernel',
  SeparableConv2D: 'pointwise_kernel',
  SeparableConv1D: 'pointwise_kernel',
};
/** Transposed convolutions keep their kernel as [..., out, in]. */
const SECOND_LAST_AXIS: Record<string, string> = { Conv2DTranspose: 'kernel', Conv3DTranspose: 'kernel' };

/** The classes {@link channelLayout} understands, for error messages. */
export const CHANNEL_LAYER_CLASSES = [...Object.keys(LAST_AXIS), ...Object.keys(SECOND_LAST_AXIS), 'DepthwiseConv2D'];

function shortName(variableName: string): string {
  const parts = variableName.split('/');
  // tfjs suffixes repeated names with _1, _2 ... on the variable name, not on originalName.
  return parts[parts.length - 1] ?? variableName;
}

function findWeight(layer: Layer, name: string): { index: number; shape: number[] } | null {
  const weights = layer.weights;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (shortName(w.originalName) === name) return { index: i, shape: [...w.shape] as number[] };
  }
  return null;
}

/**
 * The output channels of a weighted layer (Dense units or convolution filters), or a clear error naming the layer
 * when it has none (an activation, pooling, Flatten, a nested model...) or has not been built.
 */
export function channelLayout(layer: Layer, path: string): ChannelLayout {
  const className = layer.getClassName();
  const noChannels = (why: string): Error =>
    new Error(
      `layer '${path}' (${className}) has no output channels to prune: ${why}. ` +
        `Channels are the output filters of ${CHANNEL_LAYER_CLASSES.join(', ')}.`,
    );
  if (!layer.built) throw noChannels('it is not built (run the model once or build it first)');
  let kernel: ChannelWeight | null = null;
  if (className in LAST_AXIS || className in SECOND_LAST_AXIS) {
    const name = LAST_AXIS[className] ?? SECOND_LAST_AXIS[className]!;
    const w = findWeight(layer, name);
    if (w === null) throw noChannels(`it has no '${name}' weight`);
    const axis = className in LAST_AXIS ? w.shape.length - 1 : w.shape.length - 2;
    kernel = { index: w.index, name, view: w.shape, axis };
  } else if (className === 'DepthwiseConv2D') {
    const w = findWeight(layer, 'depthwise_kernel');
    if (w === null) throw noChannels("it has no 'depthwise_kernel' weight");
    const [h, wd, inC, mult] = w.shape as [number, number, number, number];
    // Output channel i*mult + m comes from input channel i and multiplier m: flatten the last two axes.
    kernel = { index: w.index, name: 'depthwise_kernel', view: [h, wd, inC * mult], axis: 2 };
  } else {
    throw noChannels('it is not a convolution or Dense layer');
  }
  const channels = kernel.view[kernel.axis]!;
  const b = findWeight(layer, 'bias');
  const bias: ChannelWeight | null = b === null ? null : { index: b.index, name: 'bias', view: b.shape, axis: 0 };
  if (bias !== null && bias.view[0] !== channels) {
    throw new Error(`layer '${path}' (${className}): bias has ${bias.view[0]} entries but the kernel has ${channels} output channels`);
  }
  return { path, className, channels, kernel, bias };
}

/** A 0/1 float mask shaped to broadcast along `weight.axis` of `weight.view`: 0 at the pruned channels. */
function keepMask(weight: ChannelWeight, pruned: readonly number[]): tf.Tensor {
  const channels = weight.view[weight.axis]!;
  const keep = new Float32Array(channels).fill(1);
  for (const c of pruned) keep[c] = 0;
  const shape = weight.view.map((d, i) => (i === weight.axis ? d : 1));
  return tf.tensor(keep, shape);
}

/**
 * The layer's weights (in `layer.getWeights()` order) with the kernel slice and bias entry of each pruned channel
 * set to 0; the other weights are copies. The caller disposes the returned tensors.
 */
export function maskedWeights(layer: Layer, layout: ChannelLayout, pruned: readonly number[]): tf.Tensor[] {
  for (const c of pruned) {
    if (!Number.isInteger(c) || c < 0 || c >= layout.channels) {
      throw new Error(`layer '${layout.path}': channel ${c} is outside 0..${layout.channels - 1}`);
    }
  }
  return tf.tidy(() =>
    layer.getWeights().map((w, i) => {
      const target = i === layout.kernel.index ? layout.kernel : i === layout.bias?.index ? layout.bias : null;
      if (target === null) return w.clone();
      // where() writes exact zeros (a product would leave -0 for negative weights; both are fine, zeros are clearer).
      const viewed = tf.reshape(w, target.view);
      const keep = tf.cast(keepMask(target, pruned), 'bool');
      return tf.reshape(tf.where(keep, viewed, tf.zerosLike(viewed)), w.shape);
    }),
  );
}

/** The Lp norm (p = 1 or 2) of each output channel's filter (kernel slice only, no bias), in channel order. */
export function filterNorms(layer: Layer, layout: ChannelLayout, p: 1 | 2): Float64Array {
  const values = tf.tidy(() => {
    const kernel = tf.reshape(layer.getWeights()[layout.kernel.index]!, layout.kernel.view);
    const axis = layout.kernel.axis;
    // [channels, rest]: move the channel axis first, then reduce the rest.
    const perm = [axis, ...layout.kernel.view.map((_, i) => i).filter((i) => i !== axis)];
    const rows = tf.reshape(tf.transpose(kernel, perm), [layout.channels, -1]); // [channels, rest]
    return p === 1 ? tf.sum(tf.abs(rows), 1) : tf.sqrt(tf.sum(tf.square(rows), 1));
  });
  const out = Float64Array.from(values.dataSync());
  values.dispose();
  return out;
}
