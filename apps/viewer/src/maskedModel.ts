import { add, concat, dispose, gather, matMul, mul, reshape, slice, squeeze, tensor1d, tidy, type Tensor } from '@tensorflow/tfjs-core';
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

/** Progress of a computation, in units done out of the total. */
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

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

/** Whether a layer maps an all-zero channel to an all-zero channel, keeping the channel on the last axis. */
function passesZeroChannels(layer: Layer): boolean {
  const cls = layer.getClassName();
  if (cls === 'Activation') return ZERO_PRESERVING_ACTIVATIONS.has(String(config(layer).activation));
  return CHANNELWISE_LAYERS.has(cls) && config(layer).dataFormat !== 'channelsFirst';
}

/** The nodes of `layer` that belong to `container`'s graph (not to applications elsewhere). */
function ownNodes(container: Container, layer: Layer): LayerNode[] {
  return layer.inboundNodes.filter((_, i) => container.containerNodes.has(`${layer.name}_ib-${i}`));
}

/** The single node in `container` that consumes `tensor`, when there is exactly one and it has one input. */
function soleConsumer(container: Container, tensor: SymbolicTensor): { layer: Layer; node: LayerNode } | undefined {
  const found = container.layers.flatMap((layer) => ownNodes(container, layer).filter((n) => n.inputTensors.includes(tensor)).map((node) => ({ layer, node })));
  const only = found[0];
  if (found.length !== 1 || !only || only.node.inputTensors.length !== 1 || container.outputs.includes(tensor)) return undefined;
  return only;
}

/** Finds 'conv2' (a unique name in the model or in a model nested in it) or 'encoder/conv2'. */
function locate(model: LayersModel, path: string): { layer: Layer; container: Container } {
  const root = model as unknown as Container;
  const found: { layer: Layer; container: Container; path: string }[] = [];
  for (const layer of root.layers) {
    if (isContainer(layer)) {
      for (const inner of layer.layers) if (!isContainer(inner)) found.push({ layer: inner, container: layer, path: `${layer.name}/${inner.name}` });
    } else {
      found.push({ layer, container: root, path: layer.name });
    }
  }
  const unique = [...new Map(found.filter((f) => f.path === path || (!path.includes('/') && f.layer.name === path)).map((m) => [m.layer, m])).values()];
  if (unique.length === 1) return unique[0] as { layer: Layer; container: Container };
  if (unique.length === 0) {
    const names = found.filter((f) => f.layer.getClassName() !== 'InputLayer').map((f) => f.path);
    throw new Error(`Layer '${path}' not found in model '${model.name}'; layers: ${names.join(', ')}`);
  }
  throw new Error(`Layer name '${path}' is ambiguous in model '${model.name}': ${unique.map((u) => `${u.container.name}/${u.layer.name}`).join(', ')}`);
}

/** Activations at the cut for every unit, and how examples map to units. */
export interface CutData {
  /** Activations at the cut, [units, ...cut shape]; the masked model takes ownership. */
  features: Tensor;
  /**
   * For a layer inside a nested model applied to root inputs (the Siamese encoder): per root input, the unit
   * (image) index of every example (pair). Omitted when the layer sits in the root model (units = examples).
   */
  unitOfExample?: readonly Int32Array[];
}

/** A model whose pruned layer's activations are cached: each mask runs only what follows the cut. */
export interface MaskedModel {
  layer: string;
  channels: number;
  /** Channel-wise layers between the pruned layer and the cut. */
  passThrough: string[];
  /**
   * 'linear-consumer': each channel's contribution to the first Dense after the cut is precomputed, so a mask
   * costs one [1, C] × [C, units·outputs] product plus the layers after that Dense; 'tail': every layer after the cut runs.
   */
  path: 'linear-consumer' | 'tail';
  /** The model's first output for every example, flattened ([N]) with the channels whose mask entry is 0 zeroed; call inside tf.tidy. */
  predict(mask: ArrayLike<number | boolean>): Tensor;
  dispose(): void;
}

/**
 * Where a model is cut for masked evaluation: after the pruned layer and the layers that map its zeroed channels
 * to zero (ReLU, max-pool, dropout…). Exact, because a channel whose kernel and bias are zeroed outputs exactly 0.
 */
export interface CutPlan {
  model: LayersModel;
  layer: string;
  channels: number;
  passThrough: string[];
  /** Per application of the nested model holding the layer: the root input it reads (-1 if not a root input); [] in the root model. */
  applicationInputs: number[];
  /** Inputs of the (nested) model holding the layer, e.g. the encoder's image input. */
  scopeInputCount: number;
  /** Activations at the cut for values of the holding model's inputs (e.g. a batch of images); call inside tidy. */
  upstream(scopeInputs: readonly Tensor[]): Tensor;
  /** Moves the cut back to just after `passThrough` (e.g. to match features cached at an earlier cut). */
  cutAfter(passThrough: readonly string[]): CutPlan;
  /** The masked model over cached activations. */
  withData(data: CutData, options?: { linearConsumer?: boolean }): MaskedModel;
}

/** Plans the cut after `layerPath` ('conv2' or 'encoder/conv2'), checking the layer can be masked exactly. */
export function planCut(model: LayersModel, layerPath: string): CutPlan {
  const { layer, container } = locate(model, layerPath);
  const activation = config(layer).activation;
  if (activation !== undefined && !ZERO_PRESERVING_ACTIVATIONS.has(String(activation))) {
    throw new Error(`Layer '${layerPath}' has activation '${String(activation)}', which does not map a zeroed channel to 0`);
  }
  if (config(layer).dataFormat === 'channelsFirst') throw new Error(`Layer '${layerPath}' is channelsFirst; the viewer masks the last axis`);
  const shape = layer.outputShape as (number | null)[];
  const channels = shape[shape.length - 1];
  if (typeof channels !== 'number') throw new Error(`Layer '${layerPath}' has no fixed channel count (output shape ${JSON.stringify(shape)})`);
  const own = ownNodes(container, layer);
  if (own.length !== 1) throw new Error(`Layer '${layerPath}' is applied ${own.length} times inside '${container.name}'; expected once`);
  const chain: SymbolicTensor[] = [(own[0] as LayerNode).outputTensors[0] as SymbolicTensor];
  const names: string[] = [];
  for (let next = soleConsumer(container, chain[0] as SymbolicTensor); next && passesZeroChannels(next.layer); next = soleConsumer(container, chain[chain.length - 1] as SymbolicTensor)) {
    names.push(next.layer.name);
    chain.push(next.node.outputTensors[0] as SymbolicTensor);
  }
  const root = model as unknown as Container;
  const nested = container !== root;
  const applications = nested ? ownNodes(root, container) : [];
  const applicationInputs = applications.map((node) => (node.inputTensors.length === 1 ? root.inputs.indexOf(node.inputTensors[0] as SymbolicTensor) : -1));

  const make = (depth: number): CutPlan => {
    const cut = chain[depth] as SymbolicTensor;
    return {
      model,
      layer: layerPath,
      channels,
      passThrough: names.slice(0, depth),
      applicationInputs,
      scopeInputCount: container.inputs.length,
      upstream(scopeInputs) {
        if (scopeInputs.length !== container.inputs.length) throw new Error(`'${container.name}' has ${container.inputs.length} inputs, got ${scopeInputs.length} tensors`);
        return runGraph([cut], new Map(container.inputs.map((s, i) => [s, scopeInputs[i] as Tensor])))[0] as Tensor;
      },
      cutAfter(passThrough) {
        const asked = passThrough.map((p) => p.split('/').pop());
        if (asked.length > names.length || asked.some((n, i) => n !== names[i])) {
          throw new Error(`Cannot cut '${layerPath}' after [${asked.join(', ')}]: the layers after it are [${names.join(', ')}]`);
        }
        return make(asked.length);
      },
      withData(data, options = {}) {
        return maskedModel({ model, root, container, nested, applications, applicationInputs, cut, layerPath, channels, passThrough: names.slice(0, depth) }, data, options.linearConsumer ?? true);
      },
    };
  };
  return make(names.length);
}

interface PlanParts {
  model: LayersModel;
  root: Container;
  container: Container;
  nested: boolean;
  applications: LayerNode[];
  applicationInputs: number[];
  cut: SymbolicTensor;
  layerPath: string;
  channels: number;
  passThrough: string[];
}

/** The first Dense after the cut (directly, or through one Flatten), with its kernel rows grouped per channel. */
function linearConsumer(container: Container, cut: SymbolicTensor, channels: number): { dense: Layer; output: SymbolicTensor; positions: number } | undefined {
  let next = soleConsumer(container, cut);
  if (next?.layer.getClassName() === 'Flatten') next = soleConsumer(container, next.node.outputTensors[0] as SymbolicTensor);
  if (!next || next.layer.getClassName() !== 'Dense') return undefined;
  const cutShape = cut.shape.slice(1);
  if (cutShape.some((d) => d === null)) return undefined;
  const positions = (cutShape as number[]).reduce((a, b) => a * b, 1) / channels;
  return { dense: next.layer, output: next.node.outputTensors[0] as SymbolicTensor, positions };
}

function maskedModel(p: PlanParts, data: CutData, useLinear: boolean): MaskedModel {
  const { root, container, nested, applications, applicationInputs, cut, channels } = p;
  if (nested && !data.unitOfExample) throw new Error(`Layer '${p.layerPath}' is inside '${container.name}': give the unit (image) of every example per root input`);
  if (nested && applicationInputs.some((i) => i < 0)) {
    throw new Error(`'${container.name}' is applied to something other than a model input; cached features cannot be gathered for it`);
  }
  const units = data.features.shape[0] as number;
  const indices = nested ? (data.unitOfExample as readonly Int32Array[]).map((rows) => tensor1d(rows, 'int32')) : [];
  for (const rows of data.unitOfExample ?? []) for (const u of rows) if (u < 0 || u >= units) throw new Error(`Unit index ${u} outside the ${units} cached units`);
  const output = root.outputs[0] as SymbolicTensor;
  const consumer = useLinear ? linearConsumer(container, cut, channels) : undefined;
  let contributions: Tensor | undefined; // [C, units·outputs]
  let bias: Tensor | undefined;
  let outputs = 0;
  if (consumer) {
    const [kernel, b] = consumer.dense.getWeights() as [Tensor, Tensor | undefined];
    outputs = kernel.shape[1] as number;
    bias = b?.clone();
    contributions = tidy(() => {
      const f = reshape(data.features, [units, consumer.positions, channels]); // [U, S, C]; Flatten's row = s·C + c
      const w = reshape(kernel, [consumer.positions, channels, outputs]); // [S, C, out]
      const perChannel = Array.from({ length: channels }, (_, c) => {
        const fc = reshape(slice(f, [0, 0, c], [units, consumer.positions, 1]), [units, consumer.positions]); // [U, S]
        const wc = squeeze(slice(w, [0, c, 0], [consumer.positions, 1, outputs]), [1]); // [S, out]
        return reshape(matMul(fc, wc), [1, units * outputs]); // [1, U·out]
      });
      return concat(perChannel, 0); // [C, U·out]
    });
  }
  const scopeOutputs = (mask: Tensor): Tensor[] => {
    if (consumer && contributions) {
      let pre = reshape(matMul(reshape(mask, [1, channels]), contributions), [units, outputs]); // [U, out]
      if (bias) pre = add(pre, bias);
      const activation = (consumer.dense as unknown as { activation?: { apply(x: Tensor): Tensor } }).activation;
      const out = activation ? activation.apply(pre) : pre;
      return runGraph(container.outputs, new Map([[consumer.output, out]]));
    }
    return runGraph(container.outputs, new Map([[cut, mul(data.features, mask)]]));
  };

  return {
    layer: p.layerPath,
    channels,
    passThrough: p.passThrough,
    path: contributions ? 'linear-consumer' : 'tail',
    predict(maskValues) {
      if (maskValues.length !== channels) throw new Error(`Mask has ${maskValues.length} entries, layer '${p.layerPath}' has ${channels} channels`);
      const mask = tensor1d(Float32Array.from(maskValues, (v) => (v ? 1 : 0))); // [C], broadcast over the last axis
      const outs = scopeOutputs(mask); // per unit
      if (!nested) return reshape(outs[0] as Tensor, [-1]);
      const feeds = new Map<SymbolicTensor, Tensor>();
      applications.forEach((node, a) => {
        const idx = indices[applicationInputs[a] as number] as Tensor;
        node.outputTensors.forEach((s, j) => feeds.set(s, gather(outs[j] as Tensor, idx))); // [examples, ...]
      });
      return reshape(runGraph([output], feeds)[0] as Tensor, [-1]);
    },
    dispose() {
      dispose([data.features, ...indices, ...(contributions ? [contributions] : []), ...(bias ? [bias] : [])]);
    },
  };
}

/** Runs `plan.upstream` over unit inputs (e.g. every test image) in batches, with progress; returns [units, ...cut]. */
export async function computeFeatures(plan: CutPlan, scopeInputs: readonly Tensor[], options: { batchSize?: number; onProgress?: ProgressCallback } = {}): Promise<Tensor> {
  const { batchSize = 200, onProgress } = options;
  const total = scopeInputs[0]?.shape[0] ?? 0;
  const pieces: Tensor[] = [];
  try {
    for (let start = 0; start < total; start += batchSize) {
      const size = Math.min(batchSize, total - start);
      pieces.push(tidy(() => plan.upstream(scopeInputs.map((x) => slice(x, start, size)))));
      onProgress?.(start + size, total);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint its progress bar
    }
  } catch (error) {
    dispose(pieces);
    throw error;
  }
  if (pieces.length === 1) return pieces[0] as Tensor;
  const joined = concat(pieces, 0);
  dispose(pieces);
  return joined;
}

/** Result of one what-if evaluation. */
export interface MaskEvaluation {
  accuracy: number;
  correct: number;
  count: number;
  /** The model's output (probability of "same digit") for every example. */
  probabilities: Float32Array;
  /** Wall time of the evaluation in milliseconds, including reading the result back. */
  ms: number;
}

/** Accuracy with the channels whose mask entry is 0 switched off: "same" at p ≥ 0.5, as the reference scores it. */
export async function evaluateMask(model: MaskedModel, mask: ArrayLike<number | boolean>, labels: ArrayLike<number>): Promise<MaskEvaluation> {
  const started = performance.now();
  const flat = tidy(() => model.predict(mask));
  const probabilities = (await flat.data()) as Float32Array;
  flat.dispose();
  if (probabilities.length !== labels.length) throw new Error(`Model gave ${probabilities.length} outputs for ${labels.length} labels`);
  let correct = 0;
  for (let i = 0; i < probabilities.length; i++) if (((probabilities[i] as number) >= 0.5 ? 1 : 0) === labels[i]) correct++;
  return { accuracy: correct / labels.length, correct, count: labels.length, probabilities, ms: performance.now() - started };
}
