import type { LayersModel } from '@tensorflow/tfjs-layers';

/** A layer of a tfjs-layers model. */
export type Layer = LayersModel['layers'][number];

/** The (nested) model holding the layer at `path` ('encoder/conv2' → the 'encoder' model) and the layer itself. */
export function containerOf(model: LayersModel, path: string): { container: LayersModel; layer: Layer; prefix: string } {
  const segments = path.split('/');
  let container: LayersModel = model;
  for (const name of segments.slice(0, -1)) container = container.getLayer(name) as unknown as LayersModel;
  return { container, layer: container.getLayer(segments[segments.length - 1] as string), prefix: segments.slice(0, -1).join('/') };
}
