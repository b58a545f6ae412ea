import type { LayersModel, SymbolicTensor, layers } from '@tensorflow/tfjs-layers';

/** A tfjs-layers layer (the class behind `tf.layers.*`). */
export type Layer = layers.Layer;

/** The part of a tfjs-layers Container (functional model, Sequential, nested model) that @prune/core reads. */
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
 * tfjs-layers adds a reference to a layer at every symbolic application, but `dispose()` of a model releases each
 * layer once per slot (and each nested model once more through `internalContainerRefs`), so a shared layer or a
 * nested model applied twice would outlive `model.dispose()`. For a model that is the only owner of its layers
 * (one just deserialised or rebuilt), trims each count to the releases `dispose()` will make.
 *
 * @param root - a model that alone owns its layers (just loaded or rebuilt).
 *
 * @example
 * ```ts
 * import { loadLayersModel } from '@tensorflow/tfjs-layers';
 * import { releaseSharedLayers } from '@prune/core';
 * import { fileSystem } from '@prune/core/node';
 *
 * const siamese = await loadLayersModel(fileSystem('runs/latest/model'));
 * releaseSharedLayers(siamese);
 * siamese.dispose(); // the shared encoder's weights go too
 * ```
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

/** A weight's short name (`kernel`, `bias`, `gamma`, …): the last segment of its original name. */
export function weightName(weight: Layer['weights'][number]): string {
  return weight.originalName.split('/').pop() ?? weight.originalName;
}

/** The index of a layer's weight by short name in `layer.weights` / `layer.getWeights()`, or -1. */
export function weightIndex(layer: Layer, name: string): number {
  return layer.weights.findIndex((w) => weightName(w) === name);
}
