import { tensor, type Tensor } from '@tensorflow/tfjs-core';
import { models, type LayersModel } from '@tensorflow/tfjs-layers';
import { channelDependencies, mapChannelIndices, type ChannelDependencies } from '../graph/channelDependencies';
import { depthMultiplierOf, leafLayers, releaseSharedLayers, type Layer } from '../graph/modelGraph';

/** One cut in one weight of one layer: the indices removed along an axis. */
export interface WeightCut {
  /** Weight name within its layer: 'kernel', 'bias', 'gamma', 'depthwise_kernel', … */
  weight: string;
  /** Axis of the weight tensor the indices run along (e.g. 3 = output filters of a Conv2D kernel [kh, kw, in, out]). */
  axis: number;
  /** Indices removed along `axis`, ascending. */
  remove: number[];
}

/** Everything surgery changes in one layer: its weight cuts and, for a source, its new filters/units. */
export interface LayerSurgery {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** Its tfjs class name, e.g. 'Conv2D'. */
  className: string;
  /** The cuts in the layer's weights. */
  cuts: WeightCut[];
  /** For a source layer: the config field that sets its output width ('filters' or 'units') and its new value. */
  resize?: {
    /** The config field that sets the output width. */
    field: 'filters' | 'units';
    /** Its value before surgery (the channel count P). */
    from: number;
    /** Its value after surgery (P minus the removed channels). */
    to: number;
  };
}

/** Options of {@link pruneChannels} and {@link planChannelSurgery}. */
export interface PruneChannelsOptions {
  /**
   * What to do when other layers' channels are coupled to the layer's (Add, Multiply, shared layers, …):
   * 'group' (default) removes the same channels from all of them; 'refuse' throws an error naming them.
   */
  coupled?: 'group' | 'refuse';
}

/** The plan of a channel removal: the dependency group and the cuts in every affected layer. */
export interface ChannelSurgeryPlan {
  /** The channel dependency group of the layer (from {@link channelDependencies}). */
  dependencies: ChannelDependencies;
  /** The removed output channels of the source layers, ascending. */
  channels: number[];
  /** One entry per affected layer: sources first, then channel-wise layers on the path, then consumers. */
  layers: LayerSurgery[];
}

type JsonObject = Record<string, unknown>;

function weightRole(variableName: string): string {
  return variableName.split('/').pop() ?? variableName;
}

function expand(indices: readonly number[], multiplier: number): number[] {
  const result: number[] = [];
  for (const i of indices) for (let k = 0; k < multiplier; k += 1) result.push(i * multiplier + k);
  return result;
}

function validateChannels(deps: ChannelDependencies, channels: readonly number[]): number[] {
  if (!Array.isArray(channels)) throw new Error(`pruneChannels: channels must be an array of channel indices of '${deps.layer}'`);
  const bad = channels.filter((c) => !Number.isInteger(c) || c < 0 || c >= deps.channels);
  if (bad.length > 0) {
    throw new Error(
      `pruneChannels: invalid channel index ${bad.map(String).join(', ')} for layer '${deps.layer}', which has ${deps.channels} channels (valid: 0 … ${deps.channels - 1})`,
    );
  }
  const unique = [...new Set(channels)].sort((a, b) => a - b);
  if (unique.length !== channels.length) {
    throw new Error(`pruneChannels: channel indices for layer '${deps.layer}' contain duplicates: [${channels.join(', ')}]`);
  }
  if (unique.length === 0) {
    throw new Error(`pruneChannels: no channels to remove from layer '${deps.layer}' (the list is empty); the model would be unchanged`);
  }
  if (unique.length >= deps.channels) {
    throw new Error(
      `pruneChannels: cannot remove all ${deps.channels} channels of layer '${deps.layer}'; at least one must remain (valid counts: 1 … ${deps.channels - 1})`,
    );
  }
  return unique;
}

/**
 * Plans the removal of output channels of a layer (and of every coupled source): which weights of which layers
 * lose which indices. Throws the errors of {@link channelDependencies} and for bad channel lists.
 */
export function planChannelSurgery(
  model: LayersModel,
  layerPath: string,
  channels: readonly number[],
  options: PruneChannelsOptions = {},
): ChannelSurgeryPlan {
  const deps = channelDependencies(model, layerPath);
  const coupled = options.coupled ?? 'group';
  if (coupled !== 'group' && coupled !== 'refuse') {
    throw new Error(`pruneChannels: options.coupled must be 'group' or 'refuse', got ${JSON.stringify(coupled)}`);
  }
  if (coupled === 'refuse' && deps.sources.length > 1) {
    const others = deps.sources.slice(1).map((s) => `'${s.path}'`).join(', ');
    throw new Error(
      `pruneChannels: the channels of '${deps.layer}' are coupled with ${others} through ${deps.couplings.map((c) => `'${c}'`).join(', ')}; ` +
        `they can only be removed together (options.coupled = 'group')`,
    );
  }
  const removed = validateChannels(deps, channels);
  const byLayer = new Map<Layer, LayerSurgery>();
  const entryOf = (layer: Layer, path: string): LayerSurgery => {
    let entry = byLayer.get(layer);
    if (entry === undefined) {
      entry = { path, className: layer.getClassName(), cuts: [] };
      byLayer.set(layer, entry);
    }
    return entry;
  };
  const rankOf = (layer: Layer, role: string): number => {
    const variable = layer.weights.find((w) => weightRole(w.originalName) === role);
    if (variable === undefined) throw new Error(`pruneChannels: layer '${layer.name}' has no weight '${role}'`);
    return variable.shape.length;
  };
  const hasWeight = (layer: Layer, role: string): boolean => layer.weights.some((w) => weightRole(w.originalName) === role);

  for (const source of deps.sources) {
    const { layer } = source;
    const entry = entryOf(layer, source.path);
    const cls = source.className;
    const width = deps.channels;
    if (cls === 'Dense') {
      entry.cuts.push({ weight: 'kernel', axis: 1, remove: removed });
      entry.resize = { field: 'units', from: width, to: width - removed.length };
    } else if (cls === 'SeparableConv2D') {
      entry.cuts.push({ weight: 'pointwise_kernel', axis: 3, remove: removed });
      entry.resize = { field: 'filters', from: width, to: width - removed.length };
    } else if (cls === 'Conv2DTranspose') {
      entry.cuts.push({ weight: 'kernel', axis: 2, remove: removed });
      entry.resize = { field: 'filters', from: width, to: width - removed.length };
    } else {
      entry.cuts.push({ weight: 'kernel', axis: rankOf(layer, 'kernel') - 1, remove: removed });
      entry.resize = { field: 'filters', from: width, to: width - removed.length };
    }
    if (hasWeight(layer, 'bias')) entry.cuts.push({ weight: 'bias', axis: 0, remove: removed });
  }

  const indicesOf = (maps: ChannelDependencies['consumers'][number]['maps']): number[] =>
    [...new Set(maps.flatMap((map) => mapChannelIndices(map, removed)))].sort((a, b) => a - b);

  for (const step of deps.path) {
    if (step.kind !== 'channelwise') continue;
    const { layer } = step;
    const entry = entryOf(layer, step.path);
    const indices = indicesOf(step.maps);
    if (step.className === 'BatchNormalization') {
      for (const variable of layer.weights) entry.cuts.push({ weight: weightRole(variable.originalName), axis: 0, remove: indices });
    } else if (step.className === 'DepthwiseConv2D') {
      entry.cuts.push({ weight: 'depthwise_kernel', axis: 2, remove: indices });
      if (hasWeight(layer, 'bias')) entry.cuts.push({ weight: 'bias', axis: 0, remove: expand(indices, depthMultiplierOf(layer)) });
    }
  }

  for (const consumer of deps.consumers) {
    const { layer } = consumer;
    const entry = entryOf(layer, consumer.path);
    const indices = indicesOf(consumer.maps);
    switch (consumer.className) {
      case 'Dense':
        entry.cuts.push({ weight: 'kernel', axis: 0, remove: indices });
        break;
      case 'SeparableConv2D':
        entry.cuts.push({ weight: 'depthwise_kernel', axis: 2, remove: indices });
        entry.cuts.push({ weight: 'pointwise_kernel', axis: 2, remove: expand(indices, depthMultiplierOf(layer)) });
        break;
      case 'Conv2DTranspose':
        entry.cuts.push({ weight: 'kernel', axis: 3, remove: indices });
        break;
      default:
        entry.cuts.push({ weight: 'kernel', axis: rankOf(layer, 'kernel') - 2, remove: indices });
    }
  }
  return { dependencies: deps, channels: removed, layers: [...byLayer.values()] };
}

/** The serialised config of the layer at `path` inside a model topology (functional, Sequential, nested). */
function findLayerConfig(topology: JsonObject, path: string): JsonObject {
  let container = topology;
  const segments = path.split('/');
  for (let depth = 0; depth < segments.length; depth += 1) {
    const name = segments[depth];
    const config = container['config'] as JsonObject | undefined;
    const list = (config?.['layers'] ?? []) as JsonObject[];
    const found = list.find((entry) => {
      const entryConfig = entry['config'] as JsonObject | undefined;
      return entry['name'] === name || entryConfig?.['name'] === name;
    });
    if (found === undefined) throw new Error(`pruneChannels: layer '${path}' not found in the serialised model topology`);
    if (depth === segments.length - 1) return found['config'] as JsonObject;
    container = found;
  }
  throw new Error(`pruneChannels: empty layer path`);
}

/**
 * Removes `remove` along `axis` of a weight, keeping the other entries in order. Done on the values rather than
 * with tf.gather: the wasm backend remembers the internal rank-4 shape of a gather output, and its FusedConv2D
 * then rejects such a tensor as a bias.
 */
function cutWeight(weight: Tensor, axis: number, remove: readonly number[], where: string): Tensor {
  const shape = weight.shape;
  const size = shape[axis];
  if (size === undefined) throw new Error(`pruneChannels: ${where} has no axis ${axis} (shape [${shape.join(', ')}])`);
  if (remove.some((i) => i >= size)) {
    throw new Error(`pruneChannels: ${where} axis ${axis} has ${size} entries but the cut names index ${Math.max(...remove)}`);
  }
  const drop = new Set(remove);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const source = weight.dataSync() as Float32Array;
  const kept = size - drop.size;
  const values = new Float32Array(outer * kept * inner);
  let write = 0;
  for (let o = 0; o < outer; o += 1) {
    for (let i = 0; i < size; i += 1) {
      if (drop.has(i)) continue;
      const from = (o * size + i) * inner;
      values.set(source.subarray(from, from + inner), write);
      write += inner;
    }
  }
  const newShape = [...shape];
  newShape[axis] = kept;
  return tensor(values, newShape, weight.dtype);
}

/**
 * Structural surgery: returns a NEW model with the given output channels of a layer removed. The layer's kernel
 * columns and bias entries go, and so do the matching inputs of every consumer (through activations, Dropout,
 * BatchNormalization, pooling and Flatten into Conv/Dense kernels), inside nested models and for shared layers
 * (each pruned once). Sources coupled by Add/Multiply/Subtract/… are pruned as one group (or refused with
 * `{ coupled: 'refuse' }`); channels reaching a model input or output, a channel-mixing or unsupported layer are
 * refused with an error naming it. The original model is left untouched; the new model is uncompiled and
 * serialises as a plain tfjs-layers model.
 */
export async function pruneChannels(
  model: LayersModel,
  layerPath: string,
  channels: readonly number[],
  options: PruneChannelsOptions = {},
): Promise<LayersModel> {
  const plan = planChannelSurgery(model, layerPath, channels, options);
  const topology = model.toJSON(null, false) as JsonObject;
  for (const surgery of plan.layers) {
    if (surgery.resize === undefined) continue;
    const config = findLayerConfig(topology, surgery.path);
    if (config[surgery.resize.field] !== surgery.resize.from) {
      throw new Error(
        `pruneChannels: layer '${surgery.path}' serialises ${surgery.resize.field}=${String(config[surgery.resize.field])}, expected ${surgery.resize.from}`,
      );
    }
    config[surgery.resize.field] = surgery.resize.to;
  }
  // tfjs-layers 4.22 drops SeparableConv2D's depth multiplier from its config; put it back so the rebuild matches.
  for (const { path, layer } of leafLayers(model)) {
    if (layer.getClassName() === 'SeparableConv2D' && depthMultiplierOf(layer) !== 1) {
      findLayerConfig(topology, path)['depth_multiplier'] = depthMultiplierOf(layer);
    }
  }
  const pruned = await models.modelFromJSON({ modelTopology: topology } as Parameters<typeof models.modelFromJSON>[0]);
  releaseSharedLayers(pruned);
  try {
    const cutsByPath = new Map(plan.layers.map((surgery) => [surgery.path, surgery.cuts]));
    const fresh = new Map(leafLayers(pruned).map((entry) => [entry.path, entry.layer]));
    for (const { path, layer } of leafLayers(model)) {
      if (layer.weights.length === 0) continue;
      const target = fresh.get(path);
      if (target === undefined) throw new Error(`pruneChannels: layer '${path}' is missing from the rebuilt model`);
      const cuts = cutsByPath.get(path) ?? [];
      // getWeights returns the variables themselves: never dispose them, only the cut copies.
      const values = layer.getWeights();
      const roles = layer.weights.map((w) => weightRole(w.originalName));
      const sliced = values.map((value, i) => {
        let current = value;
        for (const cut of cuts.filter((c) => c.weight === roles[i])) {
          const next = cutWeight(current, cut.axis, cut.remove, `weight '${path}/${cut.weight}'`);
          if (current !== value) current.dispose();
          current = next;
        }
        return current;
      });
      try {
        target.setWeights(sliced);
      } finally {
        for (const tensor of sliced) if (!values.includes(tensor)) tensor.dispose();
      }
    }
  } catch (error) {
    pruned.dispose();
    throw error;
  }
  return pruned;
}

