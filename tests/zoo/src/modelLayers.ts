import type * as tfl from '@tensorflow/tfjs-layers';

/** Every non-model layer of a model, nested models' layers included, each once, in model order. */
export function modelLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const result: tfl.layers.Layer[] = [];
  const seen = new Set<tfl.layers.Layer>();
  const visit = (layers: readonly tfl.layers.Layer[]): void => {
    for (const layer of layers) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      const nested = (layer as unknown as { layers?: unknown }).layers;
      if (Array.isArray(nested)) visit(nested as tfl.layers.Layer[]);
      else result.push(layer);
    }
  };
  visit(model.layers);
  return result;
}
