import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import {
  consumersOf,
  depthMultiplierOf,
  isContainer,
  locateLayer,
  modelScopes,
  nodesInScope,
  producerNode,
  scopeOfNode,
  type Layer,
  type LayerNode,
  type ModelScope,
} from './modelGraph';

/**
 * Where the output channels of a pruned layer sit along the last axis of a tensor downstream.
 * Channel c (0 … P-1) of the source occupies indices `start + s·positionStride + c·multiplier + j`
 * for every position s < positions and every j < multiplier.
 * Before a Flatten, positions = 1; after Flatten of [H, W, C], positions = H·W and positionStride = C
 * (NHWC order: row = (h·W + w)·C + c); a DepthwiseConv2D with depth multiplier m multiplies `multiplier` by m;
 * a Concatenate adds its offset to `start`.
 */
export interface ChannelIndexMap {
  /** Length of the tensor's last axis. */
  size: number;
  /** Index of channel 0's first entry along the last axis (a Concatenate's offset). */
  start: number;
  /** Consecutive indices per channel at each position (a DepthwiseConv2D's depth multiplier; 1 otherwise). */
  multiplier: number;
  /** Number of spatial positions the channels repeat over (1 before a Flatten; H·W after Flatten of [H, W, C]). */
  positions: number;
  /** Index step from one position to the next (C after Flatten of [H, W, C] in NHWC order). */
  positionStride: number;
}

/** What a layer on the channel path does with the pruned channels. */
export type ChannelLayerKind =
  /** Produces the channels: Conv1D/Conv2D/Conv2DTranspose/SeparableConv2D filters or Dense units (output slices). */
  | 'source'
  /** Keeps channels apart without weights: activations, Dropout, pooling, padding, Flatten. */
  | 'elementwise'
  /** Keeps channels apart with per-channel weights: BatchNormalization, DepthwiseConv2D (weight slices). */
  | 'channelwise'
  /** Joins tensors with the same channels (Add, Multiply, Subtract, Average, Maximum, Minimum, Concatenate). */
  | 'merge'
  /** Reads the channels as inputs: Conv1D/Conv2D/Conv2DTranspose/SeparableConv2D/DepthwiseConv2D kernels, Dense rows. */
  | 'consumer';

/** A layer reached by the channels, with where the channels sit in its input (consumers) or output (sources). */
export interface ChannelDependencyLayer {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** The layer instance. */
  layer: Layer;
  /** Its tfjs class name, e.g. 'Conv2D', 'BatchNormalization'. */
  className: string;
  /** What the layer does with the channels: produce, carry, weight per channel, merge or read them. */
  kind: ChannelLayerKind;
  /** Source: the output map (identity). Others: the maps of the channels in the layer's (first channel) input. */
  maps: ChannelIndexMap[];
  /** Number of applications (graph nodes) of this layer that carry the channels. */
  applications: number;
}

/**
 * The channel dependency group of a layer: every layer whose output channels must be removed together with
 * the layer's (the coupled sources), and every layer downstream that carries or reads those channels.
 */
export interface ChannelDependencies {
  /** The requested layer's path. */
  layer: string;
  /** Number of output channels of the requested layer (and of every coupled source). */
  channels: number;
  /** Coupled sources, the requested layer first: pruning channel c prunes channel c of each. */
  sources: ChannelDependencyLayer[];
  /** Element-wise, channel-wise and merge layers on the channel path, in the order they were reached. */
  path: ChannelDependencyLayer[];
  /** Layers whose input slices (kernel input channels, Dense rows) follow the pruned channels. */
  consumers: ChannelDependencyLayer[];
  /** The merge layers that couple more than one source (empty when the layer is pruned alone). */
  couplings: string[];
}

const SOURCE_CLASSES = new Set(['Conv1D', 'Conv2D', 'Conv2DTranspose', 'SeparableConv2D', 'Dense']);
/** Layers with their own filters or units: they read channels (input slices) and produce new ones. */
const CONSUMER_CLASSES = SOURCE_CLASSES;
const ELEMENTWISE_CLASSES = new Set([
  'ReLU',
  'LeakyReLU',
  'ELU',
  'ThresholdedReLU',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'MaxPooling1D',
  'MaxPooling2D',
  'MaxPooling3D',
  'AveragePooling1D',
  'AveragePooling2D',
  'AveragePooling3D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'ZeroPadding2D',
  'Cropping2D',
  'UpSampling2D',
]);
const MERGE_CLASSES = new Set(['Add', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum']);
/** Activations that act on each value alone; softmax and its kin mix channels. */
const CHANNEL_MIXING_ACTIVATIONS = new Set(['softmax', 'logSoftmax', 'log_softmax']);

type Role =
  | { kind: 'source' | 'consumer' | 'elementwise' | 'flatten' | 'batchnorm' | 'depthwise' | 'merge' | 'input' | 'container' }
  | { kind: 'concat'; axis: number }
  | { kind: 'refuse'; why: string };

function configOf(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function channelsFirst(layer: Layer): boolean {
  const format = configOf(layer)['dataFormat'];
  return format === 'channelsFirst';
}

/** Classifies a layer by what it does to the channels of its input. */
function roleOf(layer: Layer): Role {
  if (isContainer(layer)) return { kind: 'container' };
  const cls = layer.getClassName();
  if (cls === 'InputLayer') return { kind: 'input' };
  if (CONSUMER_CLASSES.has(cls)) {
    if (channelsFirst(layer)) return { kind: 'refuse', why: 'channelsFirst data format is not supported' };
    return { kind: 'consumer' };
  }
  if (cls === 'DepthwiseConv2D') {
    if (channelsFirst(layer)) return { kind: 'refuse', why: 'channelsFirst data format is not supported' };
    return { kind: 'depthwise' };
  }
  if (cls === 'BatchNormalization') {
    const axis = configOf(layer)['axis'];
    const rank = layer.inboundNodes[0]?.inputTensors[0]?.shape.length;
    if (axis !== -1 && !(rank !== undefined && axis === rank - 1)) {
      return { kind: 'refuse', why: `it normalises axis ${String(axis)}, not the channel (last) axis` };
    }
    return { kind: 'batchnorm' };
  }
  if (cls === 'Activation') {
    const activation = String(configOf(layer)['activation']);
    if (CHANNEL_MIXING_ACTIVATIONS.has(activation)) {
      return { kind: 'refuse', why: `activation '${activation}' mixes channels` };
    }
    return { kind: 'elementwise' };
  }
  if (ELEMENTWISE_CLASSES.has(cls)) {
    if (channelsFirst(layer)) return { kind: 'refuse', why: 'channelsFirst data format is not supported' };
    return { kind: 'elementwise' };
  }
  if (cls === 'Flatten') return { kind: 'flatten' };
  if (MERGE_CLASSES.has(cls)) return { kind: 'merge' };
  if (cls === 'Concatenate') {
    const axis = Number(configOf(layer)['axis'] ?? -1);
    return { kind: 'concat', axis };
  }
  if (cls === 'Softmax') return { kind: 'refuse', why: 'softmax mixes channels' };
  return { kind: 'refuse', why: `layer class '${cls}' is not supported by channel surgery` };
}

function lastDim(tensor: SymbolicTensor, what: string): number {
  const size = tensor.shape[tensor.shape.length - 1];
  if (typeof size !== 'number') throw new Error(`${what}: the last axis of tensor '${tensor.name}' has unknown size`);
  return size;
}

function mapKey(map: ChannelIndexMap): string {
  return `${map.size}:${map.start}:${map.multiplier}:${map.positions}:${map.positionStride}`;
}

/** The indices along the last axis that the given source channels occupy under `map`, ascending. */
export function mapChannelIndices(map: ChannelIndexMap, channels: readonly number[]): number[] {
  const result: number[] = [];
  for (let s = 0; s < map.positions; s += 1) {
    for (const c of channels) {
      for (let j = 0; j < map.multiplier; j += 1) result.push(map.start + s * map.positionStride + c * map.multiplier + j);
    }
  }
  return result.sort((a, b) => a - b);
}

interface Occurrence {
  scope: ModelScope;
  tensor: SymbolicTensor;
  map: ChannelIndexMap;
  /** True when the producer of this tensor has been handled already (reached forward through it). */
  viaProducer: boolean;
}

/**
 * Finds the channel dependency group of a layer's output channels: coupled sources (through Add, Multiply,
 * Subtract, Average, Maximum, Minimum, non-channel Concatenate and shared layers), the element-wise and
 * channel-wise layers the channels pass through, and every consumer that reads them, across nested models and
 * shared layers. Throws a clear error naming the layer when the channels cannot be removed (they reach a model
 * output or input, a layer that mixes channels, or an unsupported layer).
 */
export function channelDependencies(model: LayersModel, layerPath: string): ChannelDependencies {
  const target = locateLayer(model, layerPath);
  const targetClass = target.layer.getClassName();
  if (!SOURCE_CLASSES.has(targetClass)) {
    const hint =
      targetClass === 'DepthwiseConv2D'
        ? ': its output channels follow its input channels; prune the layer that produces its input'
        : '';
    throw new Error(
      `Layer '${target.path}' (${targetClass}) has no prunable output channels; expected one of ${[...SOURCE_CLASSES].join(', ')}${hint}`,
    );
  }
  if (channelsFirst(target.layer)) {
    throw new Error(`Layer '${target.path}' uses the channelsFirst data format, which channel surgery does not support`);
  }
  const scopes = modelScopes(model);
  const targetNodes = nodesInScope(target.layer, target.scope);
  const firstOutput = targetNodes[0]?.outputTensors[0];
  if (firstOutput === undefined) throw new Error(`Layer '${target.path}' is not applied anywhere in model '${model.name}'`);
  const channels = lastDim(firstOutput, `Layer '${target.path}'`);
  const identity: ChannelIndexMap = { size: channels, start: 0, multiplier: 1, positions: 1, positionStride: channels };

  const pathOf = (layer: Layer, scope: ModelScope): string => `${scope.prefix}${layer.name}`;
  const fail = (layer: Layer, scope: ModelScope, why: string): never => {
    throw new Error(
      `Cannot prune the output channels of '${target.path}': they reach layer '${pathOf(layer, scope)}' (${layer.getClassName()}), and ${why}`,
    );
  };

  // Entries are keyed by layer object, so a shared layer appears once whatever the number of applications.
  const sources = new Map<Layer, ChannelDependencyLayer>();
  const pathLayers = new Map<Layer, ChannelDependencyLayer>();
  const consumers = new Map<Layer, ChannelDependencyLayer>();
  const couplings = new Set<string>();
  const visitedNodes = new Map<Layer, Set<LayerNode>>();

  const note = (
    table: Map<Layer, ChannelDependencyLayer>,
    layer: Layer,
    scope: ModelScope,
    kind: ChannelLayerKind,
    node: LayerNode,
    map: ChannelIndexMap,
  ): void => {
    let entry = table.get(layer);
    if (entry === undefined) {
      entry = { path: pathOf(layer, scope), layer, className: layer.getClassName(), kind, maps: [], applications: 0 };
      table.set(layer, entry);
    }
    if (!entry.maps.some((m) => mapKey(m) === mapKey(map))) entry.maps.push(map);
    let nodes = visitedNodes.get(layer);
    if (nodes === undefined) {
      nodes = new Set();
      visitedNodes.set(layer, nodes);
    }
    if (!nodes.has(node)) {
      nodes.add(node);
      entry.applications += 1;
    }
  };

  const queue: Occurrence[] = [];
  const seen = new Set<string>();
  const tensorKey = (scope: ModelScope, tensor: SymbolicTensor, map: ChannelIndexMap): string =>
    `${scope.prefix}|${tensor.id}|${mapKey(map)}`;
  const push = (occurrence: Occurrence): void => {
    const key = tensorKey(occurrence.scope, occurrence.tensor, occurrence.map);
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(occurrence);
  };
  /** A weighted layer shared by several applications: every application must carry the same channels. */
  const coupleApplications = (layer: Layer, scope: ModelScope, input: number, map: ChannelIndexMap): void => {
    for (const other of nodesInScope(layer, scope)) {
      const tensor = other.inputTensors[input];
      if (tensor !== undefined) push({ scope, tensor, map, viaProducer: false });
    }
  };

  for (const node of targetNodes) {
    note(sources, target.layer, target.scope, 'source', node, identity);
    for (const tensor of node.outputTensors) push({ scope: target.scope, tensor, map: identity, viaProducer: true });
  }

  while (queue.length > 0) {
    const { scope, tensor, map, viaProducer } = queue.shift()!;

    // Backward: whatever produced this tensor must produce these channels too.
    if (!viaProducer) {
      const node = producerNode(tensor);
      const layer = node.outboundLayer;
      const role = roleOf(layer);
      switch (role.kind) {
        case 'consumer': {
          // A layer with its own filters/units produces the channels: it joins the group.
          const isIdentity = map.start === 0 && map.multiplier === 1 && map.positions === 1 && map.size === channels;
          if (!isIdentity || lastDim(tensor, pathOf(layer, scope)) !== channels) {
            fail(layer, scope, `its ${lastDim(tensor, pathOf(layer, scope))} output channels cannot be matched one-to-one with the ${channels} channels of '${target.path}'`);
          }
          note(sources, layer, scope, 'source', node, map);
          for (const other of nodesInScope(layer, scope)) {
            for (const out of other.outputTensors) push({ scope, tensor: out, map, viaProducer: true });
          }
          break;
        }
        case 'elementwise':
        case 'batchnorm': {
          note(pathLayers, layer, scope, role.kind === 'batchnorm' ? 'channelwise' : 'elementwise', node, map);
          const input = node.inputTensors[0];
          if (input !== undefined) push({ scope, tensor: input, map, viaProducer: false });
          if (role.kind === 'batchnorm') coupleApplications(layer, scope, 0, map);
          break;
        }
        case 'merge': {
          note(pathLayers, layer, scope, 'merge', node, map);
          couplings.add(pathOf(layer, scope));
          for (const input of node.inputTensors) push({ scope, tensor: input, map, viaProducer: false });
          break;
        }
        case 'concat': {
          const rank = tensor.shape.length;
          const axis = role.axis < 0 ? rank + role.axis : role.axis;
          if (axis !== rank - 1) {
            note(pathLayers, layer, scope, 'merge', node, map);
            couplings.add(pathOf(layer, scope));
            for (const input of node.inputTensors) push({ scope, tensor: input, map, viaProducer: false });
            break;
          }
          // Channels of the concatenation come from exactly one input, shifted by its offset.
          const first = map.start;
          const last = map.start + (map.positions - 1) * map.positionStride + channels * map.multiplier - 1;
          let offset = 0;
          let placed = false;
          for (const input of node.inputTensors) {
            const width = lastDim(input, pathOf(layer, scope));
            if (first >= offset && last < offset + width) {
              const shifted = { ...map, start: map.start - offset, size: width };
              if (map.positions === 1) shifted.positionStride = width;
              push({ scope, tensor: input, map: shifted, viaProducer: false });
              placed = true;
            }
            offset += width;
          }
          if (!placed) {
            fail(layer, scope, 'the channels it must carry span several of its inputs, so they cannot be pruned as one group');
          }
          note(pathLayers, layer, scope, 'merge', node, map);
          couplings.add(pathOf(layer, scope));
          break;
        }
        case 'input': {
          if (scope.parent === undefined) {
            fail(layer, scope, `that is an input of model '${model.name}', whose shape cannot change`);
          }
          // An input of a nested model: every application of the nested model must feed these channels.
          const index = scope.container.inputs.indexOf(tensor);
          if (index < 0) fail(layer, scope, 'it is not an input of its model');
          for (const application of nodesInScope(scope.container, scope.parent!)) {
            const outer = application.inputTensors[index];
            if (outer !== undefined) push({ scope: scope.parent!, tensor: outer, map, viaProducer: false });
          }
          break;
        }
        case 'container': {
          const inner = scopes.find((s) => s.container === layer);
          const index = node.outputTensors.indexOf(tensor);
          const innerTensor = inner?.container.outputs[index];
          if (inner === undefined || innerTensor === undefined) fail(layer, scope, 'its output could not be traced inside it');
          push({ scope: inner!, tensor: innerTensor!, map, viaProducer: false });
          break;
        }
        case 'flatten':
        case 'depthwise':
          fail(layer, scope, 'the channels would have to be traced backwards through it to couple another branch, which is not supported');
          break;
        case 'refuse':
          fail(layer, scope, role.why);
      }
    }

    // Forward: every reader of this tensor.
    const outputIndex = scope.container.outputs.indexOf(tensor);
    if (outputIndex >= 0) {
      if (scope.parent === undefined) {
        throw new Error(
          `Cannot prune the output channels of '${target.path}': they reach output ${outputIndex} of model '${model.name}' (tensor '${tensor.name}'), whose shape must not change`,
        );
      }
      for (const application of nodesInScope(scope.container, scope.parent)) {
        const outer = application.outputTensors[outputIndex];
        if (outer !== undefined) push({ scope: scope.parent, tensor: outer, map, viaProducer: true });
      }
    }
    for (const { node, input } of consumersOf(tensor, scope)) {
      const layer = node.outboundLayer;
      const role = roleOf(layer);
      const out = node.outputTensors[0];
      switch (role.kind) {
        case 'consumer': {
          if (map.positions > 1 && layer.getClassName() !== 'Dense') {
            fail(layer, scope, 'it reads flattened channels but is not a Dense layer');
          }
          note(consumers, layer, scope, 'consumer', node, map);
          coupleApplications(layer, scope, input, map);
          break;
        }
        case 'elementwise':
          note(pathLayers, layer, scope, 'elementwise', node, map);
          if (out !== undefined) push({ scope, tensor: out, map: { ...map }, viaProducer: true });
          break;
        case 'batchnorm':
          if (map.positions > 1) fail(layer, scope, 'it normalises flattened channels, which is not supported');
          note(pathLayers, layer, scope, 'channelwise', node, map);
          coupleApplications(layer, scope, input, map);
          if (out !== undefined) push({ scope, tensor: out, map: { ...map }, viaProducer: true });
          break;
        case 'depthwise': {
          if (map.positions > 1) fail(layer, scope, 'it reads flattened channels');
          const m = depthMultiplierOf(layer);
          note(pathLayers, layer, scope, 'channelwise', node, map);
          coupleApplications(layer, scope, input, map);
          if (out !== undefined) {
            push({
              scope,
              tensor: out,
              map: { size: map.size * m, start: map.start * m, multiplier: map.multiplier * m, positions: 1, positionStride: map.size * m },
              viaProducer: true,
            });
          }
          break;
        }
        case 'flatten': {
          if (out === undefined) break;
          note(pathLayers, layer, scope, 'elementwise', node, map);
          const inShape = tensor.shape;
          if (inShape.length <= 2) {
            push({ scope, tensor: out, map: { ...map }, viaProducer: true });
            break;
          }
          if (map.positions > 1) fail(layer, scope, 'it flattens channels that were flattened already');
          let positions = 1;
          for (const dim of inShape.slice(1, -1)) {
            if (typeof dim !== 'number') fail(layer, scope, `its input shape [${inShape.join(', ')}] is not fully known`);
            positions *= dim as number;
          }
          push({
            scope,
            tensor: out,
            map: { size: positions * map.size, start: map.start, multiplier: map.multiplier, positions, positionStride: map.size },
            viaProducer: true,
          });
          break;
        }
        case 'merge': {
          note(pathLayers, layer, scope, 'merge', node, map);
          couplings.add(pathOf(layer, scope));
          for (const other of node.inputTensors) push({ scope, tensor: other, map, viaProducer: false });
          if (out !== undefined) push({ scope, tensor: out, map: { ...map }, viaProducer: true });
          break;
        }
        case 'concat': {
          const rank = tensor.shape.length;
          const axis = role.axis < 0 ? rank + role.axis : role.axis;
          note(pathLayers, layer, scope, 'merge', node, map);
          if (out === undefined) break;
          if (axis !== rank - 1) {
            // Concatenating along another axis keeps the channel axis shared: every input must lose the same channels.
            couplings.add(pathOf(layer, scope));
            for (const other of node.inputTensors) push({ scope, tensor: other, map, viaProducer: false });
            push({ scope, tensor: out, map: { ...map }, viaProducer: true });
            break;
          }
          let offset = 0;
          for (let i = 0; i < input; i += 1) offset += lastDim(node.inputTensors[i]!, pathOf(layer, scope));
          const size = lastDim(out, pathOf(layer, scope));
          // A flattened block moves as a whole: only its start shifts.
          const positionStride = map.positions > 1 ? map.positionStride : size;
          push({ scope, tensor: out, map: { ...map, start: map.start + offset, size, positionStride }, viaProducer: true });
          break;
        }
        case 'container': {
          const inner = scopes.find((s) => s.container === layer);
          const innerTensor = inner?.container.inputs[input];
          if (inner === undefined || innerTensor === undefined) fail(layer, scope, 'its input could not be traced inside it');
          // Not viaProducer: the nested input's producer step couples every application of the nested model.
          push({ scope: inner!, tensor: innerTensor!, map, viaProducer: false });
          break;
        }
        case 'input':
          break;
        case 'refuse':
          fail(layer, scope, role.why);
      }
    }
  }

  // A shared layer applied outside this group would see its weights sliced under it: refuse.
  for (const table of [sources, pathLayers, consumers]) {
    for (const [layer, entry] of table) {
      if (entry.kind === 'elementwise' || entry.kind === 'merge') continue;
      const nodes = visitedNodes.get(layer) ?? new Set();
      layer.inboundNodes.forEach((node) => {
        if (nodes.has(node)) return;
        const owner = scopeOfNode(scopes, node);
        if (owner !== undefined) {
          throw new Error(
            `Cannot prune the output channels of '${target.path}': layer '${entry.path}' is shared, and one of its applications (in '${owner.prefix || model.name}') does not carry these channels`,
          );
        }
      });
      if (entry.kind !== 'source' && entry.maps.length > 1) {
        const sets = entry.maps.map((m) => mapChannelIndices(m, [0]).join(','));
        if (new Set(sets).size > 1 && entry.kind !== 'consumer') {
          throw new Error(
            `Cannot prune the output channels of '${target.path}': layer '${entry.path}' receives them at different positions in different applications`,
          );
        }
      }
    }
  }
  for (const entry of consumers.values()) {
    const distinct = new Set(entry.maps.map((m) => mapChannelIndices(m, [0]).join(',')));
    if (entry.applications > 1 && distinct.size > 1) {
      throw new Error(
        `Cannot prune the output channels of '${target.path}': shared layer '${entry.path}' reads them at different input positions in different applications`,
      );
    }
  }

  return {
    layer: target.path,
    channels,
    sources: [...sources.values()],
    path: [...pathLayers.values()],
    consumers: [...consumers.values()],
    couplings: [...couplings],
  };
}
