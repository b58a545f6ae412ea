import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { depthMultiplierOf, isContainer, modelScopes, nodesInScope, type ContainerLike, type Layer, type LayerNode, type ModelScope } from '../graph/modelGraph';

/** Parameters of one layer (a shared layer counts once). */
export interface LayerParams {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** Its tfjs class name, e.g. 'Conv2D'. */
  className: string;
  /** Number of scalar weights in the layer (all its weight tensors). */
  params: number;
  /** How many of those are trainable. */
  trainable: number;
}

/** Parameter counts of a model: total, trainable, non-trainable (e.g. BatchNormalization moving statistics), per layer. */
export interface ParamCount {
  /** Scalar weights in the whole model, each shared layer counted once. */
  total: number;
  /** Trainable scalar weights. */
  trainable: number;
  /** Non-trainable scalar weights (total - trainable). */
  nonTrainable: number;
  /** Per-layer counts of every layer with weights: the outer model's layers first, then each nested model's. */
  layers: LayerParams[];
}

/** Compute of one layer for one example, summed over every application of the layer in one model call. */
export interface LayerMacs {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** Its tfjs class name, e.g. 'Conv2D'. */
  className: string;
  /** Times the layer runs in one model call (a shared encoder's layers run once per branch). */
  applications: number;
  /** Multiply-accumulates: Conv/Dense/Depthwise/Separable kernels, plus one per element for BatchNormalization. */
  macs: number;
  /** 2·macs plus bias adds, activations, pooling window reads and merge operations. */
  flops: number;
  /** False for layers this count does not know (custom layers): their compute is left out. */
  counted: boolean;
}

/** Compute of one model call on one example (for a two-input model: one pair), in total and per layer. */
export interface MacCount {
  /** Multiply-accumulates of one model call on one example, summed over the layers. */
  macs: number;
  /** Floating-point operations of one model call on one example, summed over the layers. */
  flops: number;
  /** Per-layer counts (input layers left out), each layer once with its applications summed. */
  layers: LayerMacs[];
  /** Paths of layers whose compute is not counted (custom or unknown classes). */
  uncounted: string[];
}

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** The per-example shape of a symbolic tensor (batch axis dropped); unknown sizes are an error naming the layer. */
function exampleShape(tensor: SymbolicTensor | undefined, where: string): number[] {
  if (tensor === undefined) throw new Error(`countMacs: layer '${where}' has a missing tensor`);
  const dims = tensor.shape.slice(1);
  if (dims.some((d) => typeof d !== 'number')) {
    throw new Error(`countMacs: layer '${where}' has a tensor of unknown shape [${tensor.shape.map((d) => d ?? '?').join(', ')}]`);
  }
  return dims as number[];
}

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function pair(value: unknown, fallback: number): [number, number] {
  if (Array.isArray(value)) return [Number(value[0] ?? fallback), Number(value[1] ?? value[0] ?? fallback)];
  if (typeof value === 'number') return [value, value];
  return [fallback, fallback];
}

/** Extra flops of a fused activation: one per output element unless linear. */
function activationFlops(layer: Layer, elements: number): number {
  const activation = config(layer)['activation'];
  return activation === undefined || activation === null || activation === 'linear' ? 0 : elements;
}

const ELEMENTWISE = new Set(['ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'PReLU']);
const FREE = new Set(['InputLayer', 'Flatten', 'Reshape', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Permute', 'RepeatVector', 'ZeroPadding2D', 'Cropping2D', 'Concatenate']);
const MERGES = new Set(['Add', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum']);

/** MACs and flops of one application of a (non-model) layer, for one example. */
function nodeCost(layer: Layer, node: LayerNode, path: string): { macs: number; flops: number; counted: boolean } {
  const cls = layer.getClassName();
  const input = exampleShape(node.inputTensors[0], path);
  const output = exampleShape(node.outputTensors[0], path);
  const outElements = product(output);
  const useBias = config(layer)['useBias'] !== false;
  const biasFlops = useBias ? outElements : 0;
  const convLike = (macs: number) => ({ macs, flops: 2 * macs + biasFlops + activationFlops(layer, outElements), counted: true });
  switch (cls) {
    case 'Dense': {
      // Dense acts on the last axis; earlier axes (if any) are positions.
      return convLike(product(input) * (output[output.length - 1] ?? 0));
    }
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D': {
      const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
      const window = kernel === undefined ? 0 : product(kernel.shape.slice(0, -1) as number[]); // kh·kw·Cin
      return convLike(outElements * window);
    }
    case 'Conv2DTranspose': {
      const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
      // Every input pixel scatters a kh·kw·Cout patch: kernel [kh, kw, Cout, Cin].
      const perInput = kernel === undefined ? 0 : product(kernel.shape.slice(0, 3) as number[]);
      return convLike(product(input.slice(0, -1)) * (input[input.length - 1] ?? 0) * perInput);
    }
    case 'DepthwiseConv2D': {
      const [kh, kw] = pair(config(layer)['kernelSize'], 1);
      return convLike(outElements * kh * kw);
    }
    case 'SeparableConv2D': {
      const [kh, kw] = pair(config(layer)['kernelSize'], 1);
      const multiplier = depthMultiplierOf(layer);
      const positions = product(output.slice(0, -1));
      const depthwise = positions * (input[input.length - 1] ?? 0) * multiplier * kh * kw;
      const pointwise = positions * (input[input.length - 1] ?? 0) * multiplier * (output[output.length - 1] ?? 0);
      return convLike(depthwise + pointwise);
    }
    case 'BatchNormalization':
      // Inference folds it into one scale and one shift per element.
      return { macs: outElements, flops: 2 * outElements, counted: true };
    case 'LayerNormalization':
      return { macs: outElements, flops: 5 * outElements, counted: true };
    case 'Activation':
      return { macs: 0, flops: activationFlops(layer, outElements), counted: true };
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'MaxPooling3D':
    case 'AveragePooling1D':
    case 'AveragePooling2D':
    case 'AveragePooling3D': {
      const poolSize = config(layer)['poolSize'];
      const window = Array.isArray(poolSize) ? product(poolSize.map(Number)) : Number(poolSize ?? 1);
      return { macs: 0, flops: outElements * window, counted: true };
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
      return { macs: 0, flops: product(input), counted: true };
    case 'UpSampling2D':
      return { macs: 0, flops: 0, counted: true };
    default:
      if (ELEMENTWISE.has(cls)) return { macs: 0, flops: outElements, counted: true };
      if (FREE.has(cls)) return { macs: 0, flops: 0, counted: true };
      if (MERGES.has(cls)) return { macs: 0, flops: (node.inputTensors.length - 1) * outElements, counted: true };
      return { macs: 0, flops: 0, counted: false };
  }
}

/**
 * Counts the parameters of a model (shared layers and a nested model applied twice count once): total, trainable,
 * non-trainable, and per layer with its path ('encoder/conv2').
 */
export function countParams(model: LayersModel): ParamCount {
  const layers: LayerParams[] = [];
  const seen = new Set<Layer>();
  for (const scope of modelScopes(model)) {
    for (const layer of scope.container.layers) {
      if (isContainer(layer) || seen.has(layer)) continue;
      seen.add(layer);
      const params = layer.weights.reduce((sum, w) => sum + product(w.shape as number[]), 0);
      const trainable = layer.weights.filter((w) => w.trainable).reduce((sum, w) => sum + product(w.shape as number[]), 0);
      if (params > 0) layers.push({ path: `${scope.prefix}${layer.name}`, className: layer.getClassName(), params, trainable });
    }
  }
  const total = layers.reduce((sum, l) => sum + l.params, 0);
  const trainable = layers.reduce((sum, l) => sum + l.trainable, 0);
  return { total, trainable, nonTrainable: total - trainable, layers };
}

/**
 * Counts the multiply-accumulates (MACs) and floating-point operations of one model call on ONE example (batch 1;
 * for a pair model, one pair), per layer and in total. A layer applied several times (a shared encoder on both
 * branches) counts once per application. MACs cover Conv1D/2D/3D, Conv2DTranspose, DepthwiseConv2D,
 * SeparableConv2D and Dense kernels, plus one per element for BatchNormalization (folded to scale and shift);
 * flops are 2·MACs plus bias adds, activations (one per element), pooling (one per window element read) and
 * merges (one per element per extra input). Dropout, Flatten, Reshape, padding and Concatenate cost nothing.
 * Custom layers are listed in `uncounted`.
 */
export function countMacs(model: LayersModel): MacCount {
  const scopes = modelScopes(model);
  const perLayer = new Map<Layer, LayerMacs>();
  const scopeOf = (container: ContainerLike): ModelScope => {
    const scope = scopes.find((s) => s.container === container);
    if (scope === undefined) throw new Error(`countMacs: nested model '${container.name}' not found`);
    return scope;
  };
  // Walks a model's graph once per application of the model, adding each node's cost.
  const walk = (scope: ModelScope, times: number): void => {
    for (const layer of scope.container.layers) {
      const nodes = nodesInScope(layer, scope);
      if (nodes.length === 0) continue;
      if (isContainer(layer)) {
        walk(scopeOf(layer), times * nodes.length);
        continue;
      }
      const path = `${scope.prefix}${layer.name}`;
      let entry = perLayer.get(layer);
      if (entry === undefined) {
        entry = { path, className: layer.getClassName(), applications: 0, macs: 0, flops: 0, counted: true };
        perLayer.set(layer, entry);
      }
      for (const node of nodes) {
        const cost = nodeCost(layer, node, path);
        entry.applications += times;
        entry.macs += cost.macs * times;
        entry.flops += cost.flops * times;
        entry.counted &&= cost.counted;
      }
    }
  };
  walk(scopes[0]!, 1);
  const layers = [...perLayer.values()].filter((l) => l.className !== 'InputLayer');
  return {
    macs: layers.reduce((sum, l) => sum + l.macs, 0),
    flops: layers.reduce((sum, l) => sum + l.flops, 0),
    layers,
    uncounted: layers.filter((l) => !l.counted).map((l) => l.path),
  };
}
