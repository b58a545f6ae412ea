import { concat, dispose, mul, reshape, slice, tensor1d, tidy, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { runGraph } from './runGraph';

type Layer = LayersModel['layers'][number];
type LayerNode = Layer['inboundNodes'][number];

/** A functional model or Sequential, seen as a graph (tfjs-layers' Container). */
interface Container extends Layer {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  layers: Layer[];
  containerNodes: Set<string>;
}

/**
 * A model cut just after the layer being pruned: the activations there are cached once, and each mask then runs
 * only the rest of the network. Exact because a channel whose weights and bias are zeroed outputs exactly 0, and
 * every layer between the pruned layer and the cut maps a zero channel to a zero channel.
 */
export interface MaskedTail {
  /** Path of the pruned layer ('conv2' or 'encoder/conv2'). */
  layer: string;
  /** Number of output channels of the pruned layer (the mask's length). */
  channels: number;
  /** Names of the channel-wise layers between the pruned layer and the cut (e.g. relu2, pool2). */
  passThrough: string[];
  /** Cached activations at the cut, one per application of the pruned layer (the Siamese encoder runs twice). */
  caches: Tensor[];
  /** Runs the rest of the model on masked caches and returns its first output; call inside tf.tidy. */
  tail(masked: readonly Tensor[]): Tensor;
  /** Frees the caches (the model stays the caller's). */
  dispose(): void;
}

/** Progress of the cache computation, in examples done out of the total. */
export type ProgressCallback = (done: number, total: number) => void;

const ZERO_PRESERVING_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'tanh', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new']);
const CHANNELWISE_LAYERS = new Set([
  'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise',
  'GaussianDropout', 'AlphaDropout', 'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'ZeroPadding2D',
  'Cropping2D', 'UpSampling2D',
]);

function isContainer(layer: Layer): layer is Container {
  const candidate = layer as Partial<Container>;
  return candidate.containerNodes instanceof Set && Array.isArray(candidate.layers);
}

function activationOf(layer: Layer): string | undefined {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === 'string' ? activation : undefined;
}

/** Whether a layer maps an all-zero channel to an all-zero channel, keeping the channel on the last axis. */
function passesZeroChannels(layer: Layer): boolean {
  const cls = layer.getClassName();
  if (cls === 'Activation') return ZERO_PRESERVING_ACTIVATIONS.has(activationOf(layer) ?? '');
  if (!CHANNELWISE_LAYERS.has(cls)) return false;
  return (layer.getConfig() as { dataFormat?: string }).dataFormat !== 'channelsFirst';
}

/** The nodes of `container` that belong to its graph (not to applications elsewhere). */
function ownNodes(container: Container, layer: Layer): LayerNode[] {
  return layer.inboundNodes.filter((_, i) => container.containerNodes.has(`${layer.name}_ib-${i}`));
}

/** Finds 'conv2' (a unique name in the model or in a model nested in it) or 'encoder/conv2'. */
function locate(model: LayersModel, path: string): { layer: Layer; container: Container } {
  const root = model as unknown as Container;
  const found: { layer: Layer; container: Container; path: string }[] = [];
  for (const layer of root.layers) {
    if (isContainer(layer)) {
      for (const inner of layer.layers) {
        if (!isContainer(inner)) found.push({ layer: inner, container: layer, path: `${layer.name}/${inner.name}` });
      }
    } else {
      found.push({ layer, container: root, path: layer.name });
    }
  }
  const matches = found.filter((f) => f.path === path || (!path.includes('/') && f.layer.name === path));
  const unique = [...new Map(matches.map((m) => [m.layer, m])).values()];
  if (unique.length === 1) return unique[0] as { layer: Layer; container: Container };
  const names = found.filter((f) => f.layer.getClassName() !== 'InputLayer').map((f) => f.path);
  if (unique.length === 0) throw new Error(`Layer '${path}' not found in model '${model.name}'; layers: ${names.join(', ')}`);
  throw new Error(`Layer name '${path}' is ambiguous in model '${model.name}': ${unique.map((u) => u.container.name + '/' + u.layer.name).join(', ')}`);
}

/** Walks from the pruned layer's output through channel-wise layers with a single consumer: the cut. */
function findCut(container: Container, layer: Layer): { cut: SymbolicTensor; passThrough: string[] } {
  const own = ownNodes(container, layer);
  if (own.length !== 1) throw new Error(`Layer '${layer.name}' is applied ${own.length} times inside '${container.name}'; expected once`);
  let cut = (own[0] as LayerNode).outputTensors[0] as SymbolicTensor;
  const passThrough: string[] = [];
  for (;;) {
    const consumers = container.layers.flatMap((l) => ownNodes(container, l).filter((n) => n.inputTensors.includes(cut)).map((node) => ({ l, node })));
    const only = consumers[0];
    if (consumers.length !== 1 || !only || only.node.inputTensors.length !== 1 || !passesZeroChannels(only.l)) break;
    if (container.outputs.includes(cut)) break;
    passThrough.push(only.l.name);
    cut = only.node.outputTensors[0] as SymbolicTensor;
  }
  return { cut, passThrough };
}

/**
 * Builds the masked tail of `model` for the output channels of `layerPath`, computing the cached activations from
 * the model's input values (e.g. the left and right images of every test pair) in batches.
 */
export async function buildMaskedTail(
  model: LayersModel,
  layerPath: string,
  inputs: readonly Tensor[],
  options: { batchSize?: number; onProgress?: ProgressCallback } = {},
): Promise<MaskedTail> {
  const { batchSize = 250, onProgress } = options;
  const { layer, container } = locate(model, layerPath);
  const activation = activationOf(layer);
  if (activation !== undefined && !ZERO_PRESERVING_ACTIVATIONS.has(activation)) {
    throw new Error(`Layer '${layerPath}' has activation '${activation}', which does not map a zeroed channel to 0`);
  }
  if ((layer.getConfig() as { dataFormat?: string }).dataFormat === 'channelsFirst') {
    throw new Error(`Layer '${layerPath}' is channelsFirst; the viewer masks the last axis`);
  }
  const shape = layer.outputShape as (number | null)[];
  const channels = shape[shape.length - 1];
  if (typeof channels !== 'number') throw new Error(`Layer '${layerPath}' has no fixed channel count (output shape ${JSON.stringify(shape)})`);
  const root = model as unknown as Container;
  if (inputs.length !== root.inputs.length) throw new Error(`Model '${model.name}' has ${root.inputs.length} inputs, got ${inputs.length} tensors`);
  const { cut, passThrough } = findCut(container, layer);
  const nested = container !== root;
  // Applications of the nested model in the root graph (the Siamese encoder: once per branch).
  const applications = nested ? ownNodes(root, container) : [];

  const total = inputs[0]?.shape[0] ?? 0;
  const pieces: Tensor[][] = nested ? applications.map(() => []) : [[]];
  try {
    for (let start = 0; start < total; start += batchSize) {
      const size = Math.min(batchSize, total - start);
      const outs = tidy(() => {
        const batch = inputs.map((x) => slice(x, start, size));
        const rootFeeds = new Map<SymbolicTensor, Tensor>(root.inputs.map((s, i) => [s, batch[i] as Tensor]));
        if (!nested) return runGraph([cut], rootFeeds);
        return applications.map((node) => {
          const innerInputs = runGraph(node.inputTensors, rootFeeds);
          const innerFeeds = new Map<SymbolicTensor, Tensor>(container.inputs.map((s, i) => [s, innerInputs[i] as Tensor]));
          return runGraph([cut], innerFeeds)[0] as Tensor;
        });
      });
      outs.forEach((t, i) => pieces[i]?.push(t));
      onProgress?.(start + size, total);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint its progress bar
    }
  } catch (error) {
    dispose(pieces.flat());
    throw error;
  }
  const caches = pieces.map((list) => {
    const joined = list.length === 1 ? (list[0] as Tensor) : concat(list, 0);
    if (list.length > 1) dispose(list);
    return joined;
  });
  const output = root.outputs[0] as SymbolicTensor;

  return {
    layer: layerPath,
    channels,
    passThrough,
    caches,
    tail(masked) {
      if (!nested) return runGraph([output], new Map([[cut, masked[0] as Tensor]]))[0] as Tensor;
      const feeds = new Map<SymbolicTensor, Tensor>();
      applications.forEach((node, i) => {
        const outs = runGraph(container.outputs, new Map([[cut, masked[i] as Tensor]]));
        node.outputTensors.forEach((s, j) => feeds.set(s, outs[j] as Tensor));
      });
      return runGraph([output], feeds)[0] as Tensor;
    },
    dispose() {
      dispose(caches);
    },
  };
}

/** Result of one what-if evaluation. */
export interface MaskEvaluation {
  accuracy: number;
  correct: number;
  count: number;
  /** Probability of "same digit" for every pair (or the model's first output, flattened). */
  probabilities: Float32Array;
  /** Wall time of the evaluation in milliseconds, including reading the result back. */
  ms: number;
}

/**
 * Test accuracy with the channels whose mask entry is 0 switched off (weights and bias zeroed): predicts
 * "same" at p ≥ 0.5, as the reference does, and compares with the 0/1 labels.
 */
export async function evaluateMask(tail: MaskedTail, mask: ArrayLike<number | boolean>, labels: ArrayLike<number>): Promise<MaskEvaluation> {
  if (mask.length !== tail.channels) throw new Error(`Mask has ${mask.length} entries, layer '${tail.layer}' has ${tail.channels} channels`);
  const started = performance.now();
  const flat = tidy(() => {
    const m = tensor1d(Float32Array.from(mask, (v) => (v ? 1 : 0))); // [C], broadcast over the last axis
    const out = tail.tail(tail.caches.map((c) => mul(c, m)));
    return reshape(out, [-1]); // [N]
  });
  const probabilities = (await flat.data()) as Float32Array;
  flat.dispose();
  if (probabilities.length !== labels.length) throw new Error(`Model gave ${probabilities.length} outputs for ${labels.length} labels`);
  let correct = 0;
  for (let i = 0; i < probabilities.length; i++) {
    if (((probabilities[i] as number) >= 0.5 ? 1 : 0) === labels[i]) correct++;
  }
  const ms = performance.now() - started;
  return { accuracy: correct / labels.length, correct, count: labels.length, probabilities, ms };
}
