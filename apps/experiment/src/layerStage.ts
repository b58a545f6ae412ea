import type { LayersModel } from '@tensorflow/tfjs-layers';
import { channelChain } from './channelChain.js';
import type { Layer } from './containerOf.js';

/** The activation a layer applies, from its tfjs config (`linear` when it has none). */
function activationOf(layer: Layer): string {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === 'string' ? activation : 'linear';
}

/**
 * Where a layer's output is taken, for figure titles: `after its relu` for a fused activation; else before the next
 * layer on its channels' chain (`before ReLU` for a ReLU, `before tanh` for another Activation layer, `before
 * MaxPooling2D`, … by class otherwise); `linear output` when its consumers read it directly.
 */
export function layerStage(model: LayersModel, path: string): string {
  const { source, chain } = channelChain(model, path);
  const own = activationOf(source.layer);
  if (own !== 'linear') return `after its ${own}`;
  const next = chain[0];
  if (next === undefined) return 'linear output';
  const activation = activationOf(next.layer);
  // The lab's figure says 'before ReLU', as the lab's own plot did.
  if (activation === 'relu' || next.className === 'ReLU') return 'before ReLU';
  return `before ${activation !== 'linear' ? activation : next.className}`;
}
