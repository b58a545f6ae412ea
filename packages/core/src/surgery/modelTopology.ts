import type { LayersModel } from '@tensorflow/tfjs-layers';
import { depthMultiplierOf } from '../graph/layerTable';
import { leafLayers } from '../graph/modelTree';

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

/**
 * Puts back what tfjs-layers 4.22 leaves out of a serialised topology: SeparableConv2D's depth multiplier (missing
 * from its config, so a model loaded from it would build the wrong depthwise kernel).
 */
export function repairTopology(model: LayersModel, topology: JsonObject): JsonObject {
  for (const { path, layer } of leafLayers(model)) {
    if (layer.getClassName() === 'SeparableConv2D' && depthMultiplierOf(layer) !== 1) {
      findLayerConfig(topology, path)['depth_multiplier'] = depthMultiplierOf(layer);
    }
  }
  return topology;
}

/** The model's serialised topology, repaired so that loading it rebuilds the same layers. */
export function modelTopology(model: LayersModel): JsonObject {
  return repairTopology(model, model.toJSON(null, false) as JsonObject);
}
