import type { LayersModel } from '@tensorflow/tfjs-layers';
import { leafLayers } from '../graph/modelTree';
import { cloneModel } from '../surgery/cloneModel';
import { setCutWeights } from '../surgery/cutWeights';
import { planSurgeryFor } from '../surgery/planSurgery';
import type { ChannelMask } from './channelMask';

/**
 * A copy of the model in which every weight entry that surgery would remove for the masks is 0: each group's
 * source kernel slices and biases, BatchNormalization and depthwise parameters on the way, and the consumers'
 * input slices. The copy keeps every shape and computes what `pruneChannels` gives (up to float rounding).
 * The original model is untouched; the caller disposes the copy. Accepts one mask or several (one per group).
 *
 * @param model - the model; it is not changed.
 * @param masks - one mask or several (different groups).
 * @returns A copy of the model with the masked channels zeroed.
 *
 * @example
 * ```ts
 * import { applyChannelMask, maskChannels } from '@prune/core';
 *
 * const masked = await applyChannelMask(model, maskChannels('conv2', 32, [0, 5]));
 * // Same shapes as model; channels 0 and 5 of conv2's group are exactly 0.
 * ```
 */
export async function applyChannelMask(model: LayersModel, masks: ChannelMask | readonly ChannelMask[]): Promise<LayersModel> {
  const plan = planSurgeryFor(model, masks, { allowEmpty: true }, 'applyChannelMask'); // checked against the original before paying for a copy
  const copy = await cloneModel(model);
  try {
    const layers = new Map(leafLayers(copy).map((entry) => [entry.path, entry.layer]));
    for (const surgery of plan.layers) {
      const layer = layers.get(surgery.path);
      if (layer === undefined) throw new Error(`applyChannelMask: layer '${surgery.path}' is missing from the copy`);
      setCutWeights(layer, layer, surgery.path, surgery.cuts, 'zero');
    }
  } catch (error) {
    copy.dispose();
    throw error;
  }
  return copy;
}
