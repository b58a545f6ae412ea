import { weightIndex, type Layer } from './modelTree';

/** One weight of a layer and the axis along which it holds channels. */
export interface WeightAxis {
  /** The weight's short name: `kernel`, `bias`, `gamma`, `depthwise_kernel`, … */
  weight: string;
  /** The axis of the weight tensor that runs over channels (negative: from the end). */
  axis: number;
  /** Entries per channel along that axis: the depth multiplier for a depthwise bias or a separable pointwise input. */
  perChannel: number;
}

/**
 * What a layer does with the channels of its (first) input:
 * - `source`: has its own filters or units: it reads channels as a consumer and produces new ones;
 * - `channelwise`: keeps channels apart with per-channel weights (BatchNormalization, DepthwiseConv2D, PReLU);
 * - `elementwise`: keeps channels apart without weights (activations, pooling, Dropout, padding);
 * - `flatten`: [.., H, W, C] → [.., H·W·C], channel c at rows (h·W + w)·C + c;
 * - `reshape`: a Reshape, accepted where it only adds or drops unit axes;
 * - `merge`: joins tensors of the same channels element-wise (Add, Multiply, Subtract, Average, Maximum, Minimum);
 * - `concat`: Concatenate (channels shift by an offset, or are coupled when joined along another axis);
 * - `input`: a model input;
 * - `refused`: mixes channels (softmax, LayerNormalization), uses a layout channel surgery does not handle, or is
 *   not in this table: a group reaching it is refused with `refusal` as the reason.
 */
export type ChannelRole =
  | 'source'
  | 'channelwise'
  | 'elementwise'
  | 'flatten'
  | 'reshape'
  | 'merge'
  | 'concat'
  | 'input'
  | 'refused';

/** How a layer treats the values of one channel: maps 0 to 0, keeps channels apart, or mixes them. */
export type ValueSemantics = 'zero-preserving' | 'separable' | 'mixing';

/** Multiply-accumulates and floating-point operations of one application, for one example. */
export interface LayerCost {
  macs: number;
  flops: number;
}

/** Per-example shapes of one application (batch axis dropped). */
export interface ApplicationShapes {
  inputs: number[][];
  output: number[];
}

/** The semantics of one layer instance: everything @prune/core knows about a layer class, read from one entry. */
export interface LayerSemantics {
  className: string;
  role: ChannelRole;
  /** Values of a channel through the layer (for a source: through its fused activation). */
  values: ValueSemantics;
  /** Source: the weights holding each output channel (kernel slice, bias entry). */
  outputs: WeightAxis[];
  /** Source: the weights holding each input channel (kernel rows or input slices). */
  inputs: WeightAxis[];
  /** Channelwise: the per-channel weights (BN's four, a depthwise kernel and bias, PReLU's alpha). */
  channelWeights: WeightAxis[];
  /** Outputs per input channel: a DepthwiseConv2D's depth multiplier; 1 otherwise. */
  multiplier: number;
  /** Source: the config field that sets its output width. */
  widthField?: 'filters' | 'units';
  /** Source: which exact per-channel contribution the fast sweep can compute when it reads pruned channels. */
  linear?: 'dense' | 'conv1d' | 'conv2d';
  /** Concat: the joined axis as configured (negative: from the end). */
  axis?: number;
  /** Why channels cannot reach this layer (role `refused`, an unsupported layout or activation). */
  refusal?: string;
  /** Source: why its own output channels cannot be removed (e.g. a fused softmax mixes them). */
  outputRefusal?: string;
  /** MACs and flops of one application, or null for a class whose compute is not known. */
  cost(shapes: ApplicationShapes): LayerCost | null;
}

type Config = Record<string, unknown>;
type Describe = (layer: Layer, config: Config) => Partial<Omit<LayerSemantics, 'role'>> & Pick<LayerSemantics, 'cost'>;
/** One class of the table: its role (fixed per class) and how to read the rest from a layer instance. */
interface Entry {
  role: ChannelRole;
  describe: Describe;
}
const entry = (role: ChannelRole, describe: Describe): Entry => ({ role, describe });

const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);
const last = (shape: readonly number[]): number => shape[shape.length - 1] ?? 1;
const axis = (weight: string, at: number, perChannel = 1): WeightAxis => ({ weight, axis: at, perChannel });

/** The fused activations by how they treat a channel's values. */
const ACTIVATIONS: Record<string, ValueSemantics> = {
  linear: 'zero-preserving', relu: 'zero-preserving', relu6: 'zero-preserving', elu: 'zero-preserving',
  selu: 'zero-preserving', tanh: 'zero-preserving', swish: 'zero-preserving', mish: 'zero-preserving',
  gelu: 'zero-preserving', gelu_new: 'zero-preserving', softsign: 'zero-preserving',
  sigmoid: 'separable', hardSigmoid: 'separable', softplus: 'separable',
  softmax: 'mixing', logSoftmax: 'mixing', log_softmax: 'mixing',
};

function activationOf(config: Config): string {
  const a = config['activation'];
  return typeof a === 'string' ? a : 'linear';
}

/** The values semantics of a fused activation, or a refusal for one the table does not know. */
function fused(config: Config): { values: ValueSemantics; refusal?: string } {
  const name = activationOf(config);
  const values = ACTIVATIONS[name];
  if (values === undefined) return { values: 'mixing', refusal: `its activation '${name}' is not known to @prune/core` };
  if (values === 'mixing') return { values, refusal: `its activation '${name}' mixes channels` };
  return { values };
}

/** A layer with its own filters or units: readable unless channels-first, prunable unless its activation mixes. */
function sourceChecks(config: Config): Pick<LayerSemantics, 'values' | 'refusal' | 'outputRefusal'> {
  const layout = channelsFirst(config);
  const activation = fused(config);
  return { values: activation.values, refusal: layout, outputRefusal: layout ?? activation.refusal };
}

/** One flop per output element for a non-linear fused activation. */
function activationFlops(config: Config, elements: number): number {
  return activationOf(config) === 'linear' ? 0 : elements;
}

function pair(value: unknown): [number, number] {
  if (Array.isArray(value)) return [Number(value[0] ?? 1), Number(value[1] ?? value[0] ?? 1)];
  return typeof value === 'number' ? [value, value] : [1, 1];
}

function weightShape(layer: Layer, name: string): number[] {
  const index = weightIndex(layer, name);
  return index < 0 ? [] : (layer.weights[index]!.shape as number[]);
}

/**
 * The depth multiplier of a DepthwiseConv2D or SeparableConv2D, read from the layer itself: tfjs-layers 4.22 leaves
 * it out of SeparableConv2D's config.
 */
export function depthMultiplierOf(layer: Layer): number {
  const own = (layer as unknown as { depthMultiplier?: unknown }).depthMultiplier;
  if (typeof own === 'number') return own;
  return Number((layer.getConfig() as Config)['depthMultiplier'] ?? 1);
}

function channelsFirst(config: Config): string | undefined {
  return config['dataFormat'] === 'channelsFirst' ? 'it uses the channelsFirst data format; channels must be on the last axis' : undefined;
}

/** Kernel MACs plus the flops of bias and fused activation. */
function kernelCost(config: Config, output: number[], macs: number): LayerCost {
  const elements = product(output);
  const bias = config['useBias'] === false ? 0 : elements;
  return { macs, flops: 2 * macs + bias + activationFlops(config, elements) };
}

/** Dense, Conv1D, Conv2D: kernel [..., in, out], bias [out]. */
const kernelLayer = (linear: LayerSemantics['linear'] | undefined): Entry =>
  entry('source', (layer, config) => {
    const rank = weightShape(layer, 'kernel').length || 2;
    const isDense = layer.getClassName() === 'Dense';
    return {
      ...sourceChecks(config),
      outputs: [axis('kernel', rank - 1), axis('bias', 0)],
      inputs: [axis('kernel', rank - 2)],
      widthField: isDense ? 'units' : 'filters',
      linear: config['padding'] === 'causal' ? undefined : linear,
      cost: ({ inputs, output }) => {
        // Dense acts on the last axis (earlier axes are positions); a conv reads a kh·kw·Cin window per output.
        const window = isDense ? last(inputs[0]!) : product(weightShape(layer, 'kernel').slice(0, -1));
        return kernelCost(config, output, isDense ? product(inputs[0]!) * last(output) : product(output) * window);
      },
    };
  });

const TABLE: Record<string, Entry> = {
  Dense: kernelLayer('dense'),
  Conv1D: kernelLayer('conv1d'),
  Conv2D: kernelLayer('conv2d'),
  Conv2DTranspose: entry('source', (layer, config) => ({
    ...sourceChecks(config),
    // kernel [kh, kw, out, in]
    outputs: [axis('kernel', 2), axis('bias', 0)],
    inputs: [axis('kernel', 3)],
    widthField: 'filters',
    cost: ({ inputs, output }) => kernelCost(config, output, product(inputs[0]!) * product(weightShape(layer, 'kernel').slice(0, 3))),
  })),
  SeparableConv2D: entry('source', (layer, config) => {
    const m = depthMultiplierOf(layer);
    return {
      ...sourceChecks(config),
      outputs: [axis('pointwise_kernel', 3), axis('bias', 0)],
      inputs: [axis('depthwise_kernel', 2), axis('pointwise_kernel', 2, m)],
      widthField: 'filters',
      cost: ({ inputs, output }) => {
        const [kh, kw] = pair(config['kernelSize']);
        const positions = product(output.slice(0, -1));
        const depthwise = positions * last(inputs[0]!) * m * kh * kw;
        const pointwise = positions * last(inputs[0]!) * m * last(output);
        return kernelCost(config, output, depthwise + pointwise);
      },
    };
  }),
  DepthwiseConv2D: entry('channelwise', (layer, config) => {
    const m = depthMultiplierOf(layer);
    return {
      values: fused(config).values,
      refusal: channelsFirst(config) ?? fused(config).refusal,
      channelWeights: [axis('depthwise_kernel', 2), axis('bias', 0, m)],
      multiplier: m,
      cost: ({ output }) => {
        const [kh, kw] = pair(config['kernelSize']);
        return kernelCost(config, output, product(output) * kh * kw);
      },
    };
  }),
  BatchNormalization: entry('channelwise', (_layer, config) => {
    const a = Number(config['axis'] ?? -1);
    return {
      values: 'separable',
      refusal: a === -1 ? undefined : `it normalises axis ${a}; only the channel (last) axis, -1, is supported`,
      channelWeights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => axis(w, 0)),
      // Inference folds it into one scale and one shift per element.
      cost: ({ output }) => ({ macs: product(output), flops: 2 * product(output) }),
    };
  }),
  PReLU: entry('channelwise', () => ({
    values: 'zero-preserving',
    channelWeights: [axis('alpha', -1)],
    cost: ({ output }) => ({ macs: 0, flops: product(output) }),
  })),
  Activation: entry('elementwise', (_layer, config) => ({ ...fused(config), cost: ({ output }) => ({ macs: 0, flops: activationFlops(config, product(output)) }) })),
  ReLU: elementwise('zero-preserving', 1),
  LeakyReLU: elementwise('zero-preserving', 1),
  ELU: elementwise('zero-preserving', 1),
  ThresholdedReLU: elementwise('zero-preserving', 1),
  Softmax: entry('refused', () => ({ values: 'mixing', refusal: 'softmax mixes channels', cost: ({ output }) => ({ macs: 0, flops: product(output) }) })),
  LayerNormalization: entry('refused', () => ({
    values: 'mixing',
    refusal: 'it normalises over channels, so every channel depends on the others',
    cost: ({ output }) => ({ macs: product(output), flops: 5 * product(output) }),
  })),
  Dropout: elementwise('zero-preserving', 0),
  SpatialDropout1D: elementwise('zero-preserving', 0),
  GaussianNoise: elementwise('zero-preserving', 0),
  GaussianDropout: elementwise('zero-preserving', 0),
  AlphaDropout: elementwise('zero-preserving', 0),
  MaxPooling1D: pooling(),
  MaxPooling2D: pooling(),
  MaxPooling3D: pooling(),
  AveragePooling1D: pooling(),
  AveragePooling2D: pooling(),
  AveragePooling3D: pooling(),
  GlobalAveragePooling1D: globalPooling(),
  GlobalAveragePooling2D: globalPooling(),
  GlobalMaxPooling1D: globalPooling(),
  GlobalMaxPooling2D: globalPooling(),
  ZeroPadding2D: spatial(),
  Cropping2D: spatial(),
  UpSampling2D: spatial(),
  Flatten: entry('flatten', (_layer, config) => ({ values: 'zero-preserving', refusal: channelsFirst(config), cost: () => ({ macs: 0, flops: 0 }) })),
  Reshape: entry('reshape', () => ({ values: 'zero-preserving', cost: () => ({ macs: 0, flops: 0 }) })),
  Add: merge(),
  Multiply: merge(),
  Subtract: merge(),
  Average: merge(),
  Maximum: merge(),
  Minimum: merge(),
  Concatenate: entry('concat', (_layer, config) => ({ values: 'zero-preserving', axis: Number(config['axis'] ?? -1), cost: () => ({ macs: 0, flops: 0 }) })),
  InputLayer: entry('input', () => ({ values: 'zero-preserving', cost: () => ({ macs: 0, flops: 0 }) })),
};

function elementwise(values: ValueSemantics, flopsPerElement: number): Entry {
  return entry('elementwise', () => ({ values, cost: ({ output }) => ({ macs: 0, flops: flopsPerElement * product(output) }) }));
}

/** Windowed pooling: one flop per window element read. */
function pooling(): Entry {
  return entry('elementwise', (_layer, config) => ({
    values: 'zero-preserving',
    refusal: channelsFirst(config),
    cost: ({ output }) => {
      const size = config['poolSize'];
      const window = Array.isArray(size) ? product(size.map(Number)) : Number(size ?? 1);
      return { macs: 0, flops: product(output) * window };
    },
  }));
}

function globalPooling(): Entry {
  return entry('elementwise', (_layer, config) => ({ values: 'zero-preserving', refusal: channelsFirst(config), cost: ({ inputs }) => ({ macs: 0, flops: product(inputs[0]!) }) }));
}

function spatial(): Entry {
  return entry('elementwise', (_layer, config) => ({ values: 'zero-preserving', refusal: channelsFirst(config), cost: () => ({ macs: 0, flops: 0 }) }));
}

/** One flop per element per extra input. */
function merge(): Entry {
  return entry('merge', () => ({ values: 'separable', cost: ({ inputs, output }) => ({ macs: 0, flops: (inputs.length - 1) * product(output) }) }));
}

/** The layer classes the table describes. */
export const KNOWN_LAYER_CLASSES: readonly string[] = Object.keys(TABLE);

/** A layer class of the table and its {@link ChannelRole}. */
export interface SupportedLayer {
  className: string;
  role: ChannelRole;
}

/**
 * Every layer class @prune/core knows, with its role, read from the one layer table (the docs' table of supported
 * layers is made from it). A role can still refuse one configuration (channelsFirst, a BatchNormalization off the
 * last axis, an activation that mixes channels): {@link layerSemantics} of the layer says why.
 *
 * @returns The classes in the table's order.
 *
 * @example
 * ```ts
 * import { supportedLayers } from '@prune/core';
 *
 * const sources = supportedLayers().filter((l) => l.role === 'source');
 * console.log(sources.map((l) => l.className));
 * // ['Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'SeparableConv2D']
 * ```
 */
export function supportedLayers(): SupportedLayer[] {
  return Object.entries(TABLE).map(([className, { role }]) => ({ className, role }));
}

const cache = new WeakMap<Layer, LayerSemantics>();

/**
 * The semantics of a layer, from the one table of layer classes in @prune/core. A class the table does not know
 * (a custom layer) comes back with role `refused`, a reason naming it and no cost: never a guess.
 *
 * @param layer - a layer of a model (`model.getLayer(name)`).
 * @returns The layer's entry: role, value semantics, channel weight axes and cost.
 *
 * @example
 * ```ts
 * import { layerSemantics } from '@prune/core';
 *
 * const s = layerSemantics(model.getLayer('conv2'));
 * console.log(s.role, s.outputs.map((w) => w.weight)); // 'source' ['kernel', 'bias']
 * ```
 */
export function layerSemantics(layer: Layer): LayerSemantics {
  const cached = cache.get(layer);
  if (cached !== undefined) return cached;
  const className = layer.getClassName();
  const known = TABLE[className];
  const base: LayerSemantics = {
    className,
    role: 'refused',
    values: 'mixing',
    outputs: [],
    inputs: [],
    channelWeights: [],
    multiplier: 1,
    refusal: `layer class '${className}' is not in @prune/core's layer table`,
    cost: () => null,
  };
  const semantics: LayerSemantics =
    known === undefined
      ? base
      : { ...base, refusal: undefined, values: 'zero-preserving', role: known.role, ...known.describe(layer, layer.getConfig() as Config) };
  if (semantics.role === 'refused' && semantics.refusal === undefined) semantics.refusal = `${className} is not supported`;
  cache.set(layer, semantics);
  return semantics;
}
