import type { LayersModel } from '@tensorflow/tfjs-layers';

/** A serialised model topology (the JSON of `model.toJSON(null, false)`). */
export type JsonObject = Record<string, unknown>;

/** The serialised config of the layer at `path` inside a model topology (functional, Sequential, nested). */
export function findLayerConfig(topology: JsonObject, path: string): JsonObject {
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

/** A weight's name and shape, as a weights manifest or `model.weights` give them. */
export interface WeightShape {
  name: string;
  shape: readonly (number | null)[];
}

/** Every layer entry of a serialised topology, nested models' layers included, in order (depth first). */
function layerEntries(container: JsonObject): JsonObject[] {
  const list = (container['config'] as JsonObject | undefined)?.['layers'];
  if (!Array.isArray(list)) return [];
  return (list as JsonObject[]).flatMap((entry) => [entry, ...layerEntries(entry)]);
}

/**
 * Puts back what tfjs-layers 4.22 leaves out of a serialised topology: SeparableConv2D's depth multiplier, missing
 * from its config, so that a model loaded from it would build the wrong depthwise kernel. The multiplier is read off
 * the layer's depthwise kernel [kh, kw, in, multiplier] in `weights` (the weights manifest of a model.json, or
 * `model.weights`), which tfjs names `<layer>/depthwise_kernel` (unique in a model tfjs can load). Changes
 * `topology` in place and returns it.
 */
export function repairTopology(topology: JsonObject, weights: readonly WeightShape[]): JsonObject {
  const multipliers = new Map<string, number>();
  for (const { name, shape } of weights) {
    const layer = /([^/]+)\/depthwise_kernel$/.exec(name)?.[1];
    if (layer !== undefined && shape.length === 4) multipliers.set(layer, Number(shape[3]));
  }
  const root = (topology['model_config'] as JsonObject | undefined) ?? topology;
  for (const entry of layerEntries(root)) {
    const config = entry['config'] as JsonObject | undefined;
    if (entry['class_name'] !== 'SeparableConv2D' || !config || config['depth_multiplier'] !== undefined) continue;
    const multiplier = multipliers.get(String(config['name']));
    if (multiplier !== undefined && multiplier !== 1) config['depth_multiplier'] = multiplier;
  }
  return topology;
}

/** The model's serialised topology, repaired so that loading it rebuilds the same layers. */
export function modelTopology(model: LayersModel): JsonObject {
  const weights = model.weights.map((w) => ({ name: w.originalName, shape: w.shape }));
  return repairTopology(model.toJSON(null, false) as JsonObject, weights);
}
