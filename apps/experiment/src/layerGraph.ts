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

/** The single consumer of a layer's output inside `container`, or null when there are none or several. */
export function soleConsumer(container: LayersModel, layer: Layer): Layer | null {
  const consumers = container.layers.filter((l) => l.inboundNodes.some((node) => node.inboundLayers.includes(layer)));
  return consumers.length === 1 ? (consumers[0] as Layer) : null;
}

/** Whether a layer is a ReLU (an `Activation('relu')` or a `ReLU` layer). */
export function isRelu(layer: Layer): boolean {
  const cls = layer.getClassName();
  return cls === 'ReLU' || (cls === 'Activation' && (layer.getConfig() as { activation?: string }).activation === 'relu');
}

/** Layers that map a zero channel to a zero channel and keep channels apart: ReLU, max-pool, dropout. */
export function isChannelPassThrough(layer: Layer): boolean {
  const cls = layer.getClassName();
  return cls === 'MaxPooling2D' || cls === 'Dropout' || isRelu(layer);
}

/** Where a layer's output is taken relative to its activation, for figure titles: `before ReLU`, `after its relu`, …. */
export function layerStage(model: LayersModel, path: string): string {
  const { container, layer } = containerOf(model, path);
  const activation = (layer.getConfig() as { activation?: string }).activation ?? 'linear';
  if (activation !== 'linear') return `after its ${activation}`;
  const next = soleConsumer(container, layer);
  return next && isRelu(next) ? 'before ReLU' : 'linear output';
}
