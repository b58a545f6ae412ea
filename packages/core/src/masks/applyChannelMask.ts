import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import * as tf from '@tensorflow/tfjs-core';
import type { ChannelMask } from './channelMask';
import { channelLayout, maskedWeights } from './channelWeights';
import { cloneModel } from '../surgery/cloneModel';

/**
 * The lab's pruning: a copy of the model in which each masked channel's kernel slice and bias entry are 0, so the
 * channel outputs 0 (before any activation the layer fuses). The original model is untouched; the caller
 * disposes the copy. Accepts one mask or several (on different layers).
 */
export async function applyChannelMask(model: LayersModel, masks: ChannelMask | readonly ChannelMask[]): Promise<LayersModel> {
  const list = Array.isArray(masks) ? (masks as readonly ChannelMask[]) : [masks as ChannelMask];
  // Validate against the original before paying for a copy.
  const targets = list.map((mask) => {
    const entry = resolveLayerEntry(model, mask.layer);
    const layout = channelLayout(entry.layer, entry.path);
    if (mask.channels !== layout.channels) {
      throw new Error(`applyChannelMask: the mask for '${mask.layer}' is for ${mask.channels} channels but the layer has ${layout.channels}`);
    }
    for (const c of mask.pruned) {
      if (!Number.isInteger(c) || c < 0 || c >= layout.channels) {
        throw new Error(`applyChannelMask: channel ${c} of layer '${mask.layer}' is outside 0 … ${layout.channels - 1}`);
      }
    }
    return { mask, path: entry.path };
  });
  const copy = await cloneModel(model);
  try {
    for (const { mask, path } of targets) {
      const layer = resolveLayerEntry(copy, path).layer;
      const weights = maskedWeights(layer, channelLayout(layer, path), mask.pruned);
      layer.setWeights(weights);
      tf.dispose(weights);
    }
  } catch (error) {
    copy.dispose();
    throw error;
  }
  return copy;
}
