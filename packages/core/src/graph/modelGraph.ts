import { resolveLayerEntry } from '@prune/activations';
import type { LayersModel, SymbolicTensor, layers } from '@tensorflow/tfjs-layers';

/** A tfjs-layers layer (the class behind `tf.layers.*`). */
export type Layer = layers.Layer;
/** A node of the layer graph: one application of a layer to some input tensors. */
export type LayerNode = Layer['inboundNodes'][number];

/** The part of a tfjs-layers Container (functional model, Sequential, nested model) the graph walks read. */
export interface ContainerLike extends Layer {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  layers: Layer[];
  containerNodes: Set<string>;
}

/** One model of a model tree (the root, or a model nested in it as a layer), with its path prefix. */
export interface ModelScope {
  container: ContainerLike;
  /** '' for the root model, 'encoder/' for a model nested as layer 'encoder'. */
  prefix: string;
  parent: ModelScope | undefined;
}

/** Whether a layer is itself a model (a nested functional model or Sequential). */
export function isContainer(layer: Layer): layer is ContainerLike {
  const candidate = layer as Partial<ContainerLike>;
  return candidate.containerNodes instanceof Set && Array.isArray(candidate.layers);
}

/** The key tfjs-layers uses for a node in `containerNodes` (mirrors `Layer.nodeKey`). */
export function nodeKey(layer: Layer, nodeIndex: number): string {
  return `${layer.name}_ib-${nodeIndex}`;
}

/** A Sequential model fills its graph bookkeeping (`containerNodes`) only when built; build it from its input. */
function ensureBuilt(container: ContainerLike): void {
  const pending = container as ContainerLike & { build(shape?: unknown): void };
  if (container.containerNodes.size === 0 && !container.built && container.inputs.length > 0) {
    pending.build(container.inputs[0]!.shape);
  }
}

/** Every model in the tree rooted at `model`, root first. */
export function modelScopes(model: LayersModel): ModelScope[] {
  ensureBuilt(model as unknown as ContainerLike);
  const root: ModelScope = { container: model as unknown as ContainerLike, prefix: '', parent: undefined };
  const scopes: ModelScope[] = [root];
  const seen = new Set<Layer>([model as unknown as Layer]);
  for (let i = 0; i < scopes.length; i += 1) {
    const scope = scopes[i]!;
    for (const layer of scope.container.layers) {
      if (isContainer(layer) && !seen.has(layer)) {
        seen.add(layer);
        ensureBuilt(layer);
        scopes.push({ container: layer, prefix: `${scope.prefix}${layer.name}/`, parent: scope });
      }
    }
  }
  return scopes;
}

/** Every non-model layer of the tree with its path ('conv1', 'encoder/conv2'), each layer object once. */
export function leafLayers(model: LayersModel): { path: string; layer: Layer; scope: ModelScope }[] {
  const result: { path: string; layer: Layer; scope: ModelScope }[] = [];
  const seen = new Set<Layer>();
  for (const scope of modelScopes(model)) {
    for (const layer of scope.container.layers) {
      if (isContainer(layer) || seen.has(layer)) continue;
      seen.add(layer);
      result.push({ path: `${scope.prefix}${layer.name}`, layer, scope });
    }
  }
  return result;
}

/**
 * Finds a layer by path: 'conv2' (a name unique anywhere in the tree) or 'encoder/conv2' (through nested models),
 * as @prune/activations resolves it. Returns the layer, its path and the model that holds it.
 */
export function locateLayer(model: LayersModel, path: string): { path: string; layer: Layer; scope: ModelScope } {
  const entry = resolveLayerEntry(model, path);
  const scopes = modelScopes(model);
  const slash = entry.path.lastIndexOf('/');
  const prefix = slash < 0 ? '' : entry.path.slice(0, slash + 1);
  const scope =
    scopes.find((s) => s.prefix === prefix && s.container.layers.includes(entry.layer)) ??
    scopes.find((s) => s.container.layers.includes(entry.layer));
  if (scope === undefined) throw new Error(`Layer '${path}' is not part of model '${model.name}'`);
  if (isContainer(entry.layer)) {
    throw new Error(`Layer '${entry.path}' is a nested model, not a layer with channels; name one of its layers ('${entry.path}/<layer>')`);
  }
  return { path: entry.path, layer: entry.layer, scope };
}

/** The scope (model) a node belongs to, among `scopes`, or undefined when the node lies outside the model tree. */
export function scopeOfNode(scopes: readonly ModelScope[], node: LayerNode): ModelScope | undefined {
  const layer = node.outboundLayer;
  const index = layer.inboundNodes.indexOf(node);
  const key = nodeKey(layer, index);
  return scopes.find((scope) => scope.container.containerNodes.has(key));
}

/** The nodes of `layer` that belong to the given model scope (its applications inside that model). */
export function nodesInScope(layer: Layer, scope: ModelScope): LayerNode[] {
  return layer.inboundNodes.filter((_node, index) => scope.container.containerNodes.has(nodeKey(layer, index)));
}

/** The node that produced a symbolic tensor. */
export function producerNode(tensor: SymbolicTensor): LayerNode {
  const node = tensor.sourceLayer.inboundNodes[tensor.nodeIndex];
  if (node === undefined) throw new Error(`Tensor '${tensor.name}' has no producing node in layer '${tensor.sourceLayer.name}'`);
  return node;
}

/** The applications (nodes) in `scope` that read `tensor`, with the input position it takes in each. */
export function consumersOf(tensor: SymbolicTensor, scope: ModelScope): { node: LayerNode; input: number }[] {
  const result: { node: LayerNode; input: number }[] = [];
  const producer = tensor.sourceLayer;
  for (const node of producer.outboundNodes) {
    const layer = node.outboundLayer;
    const index = layer.inboundNodes.indexOf(node);
    if (!scope.container.containerNodes.has(nodeKey(layer, index))) continue;
    node.inboundLayers.forEach((inbound, input) => {
      if (
        inbound === producer &&
        node.nodeIndices[input] === tensor.nodeIndex &&
        node.tensorIndices[input] === tensor.tensorIndex
      ) {
        result.push({ node, input });
      }
    });
  }
  return result;
}

/**
 * tfjs-layers adds a reference to a layer at every symbolic application, but `dispose()` of a model releases each
 * layer once per slot (and each nested model once more through `internalContainerRefs`), so a shared layer or a
 * nested model applied twice would outlive `model.dispose()`. For a model that is the only owner of its layers
 * (one just deserialised or rebuilt), trims each count to the releases `dispose()` will make.
 */
export function releaseSharedLayers(root: LayersModel): void {
  const releases = new Map<Layer, number>();
  const visit = (container: ContainerLike): void => {
    const internal = (container as unknown as { internalContainerRefs?: Layer[] }).internalContainerRefs ?? [];
    for (const layer of [...container.layers, ...internal]) {
      const seen = releases.has(layer);
      releases.set(layer, (releases.get(layer) ?? 0) + 1);
      if (!seen && isContainer(layer)) visit(layer);
    }
  };
  visit(root as unknown as ContainerLike);
  for (const [layer, count] of releases) {
    const counted = layer as unknown as { _refCount: number | null };
    if (typeof counted._refCount === 'number' && counted._refCount > count) counted._refCount = count;
  }
}

/**
 * The depth multiplier of a DepthwiseConv2D or SeparableConv2D, read from the layer itself: tfjs-layers 4.22 leaves
 * it out of SeparableConv2D's config.
 */
export function depthMultiplierOf(layer: Layer): number {
  const own = (layer as unknown as { depthMultiplier?: unknown }).depthMultiplier;
  if (typeof own === 'number') return own;
  return Number((layer.getConfig() as Record<string, unknown>)['depthMultiplier'] ?? 1);
}
