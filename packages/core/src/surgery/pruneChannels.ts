import { models, type LayersModel } from '@tensorflow/tfjs-layers';
import { leafLayers, releaseSharedLayers } from '../graph/modelTree';
import type { ChannelMask } from '../masks/channelMask';
import { setCutWeights } from './cutWeights';
import { findLayerConfig, modelTopology, type JsonObject } from './modelTopology';
import { planSurgery, type ConfigChange, type SurgeryOptions, type SurgeryPlan } from './planSurgery';

/** Sets a config change in a serialised layer config, checking the old value first. */
function applyConfigChange(config: JsonObject, path: string, change: ConfigChange): void {
  if (change.field === 'targetShape') {
    const shape = config['target_shape'] ?? config['targetShape'];
    const lastEntry = Array.isArray(shape) ? shape[shape.length - 1] : undefined;
    if (!Array.isArray(shape) || lastEntry !== change.from) {
      throw new Error(`pruneChannels: layer '${path}' serialises target shape ${JSON.stringify(shape)}, expected a last entry of ${change.from}`);
    }
    shape[shape.length - 1] = change.to;
    return;
  }
  if (config[change.field] !== change.from) {
    throw new Error(`pruneChannels: layer '${path}' serialises ${change.field}=${String(config[change.field])}, expected ${change.from}`);
  }
  config[change.field] = change.to;
}

/**
 * Structural surgery: returns a NEW model with the masked channels of every mask's pruning group removed, in one
 * rebuild. Each group loses the channels in all its coupled sources (kernel columns, biases), in the layers on the
 * way (BatchNormalization parameters, depthwise kernels, a Reshape's target shape) and in every consumer's input
 * slices (Conv kernels, Dense rows after Flatten), inside nested models and for shared layers (each cut once).
 * Channels reaching a model input or output, a channel-mixing or unknown layer are refused with an error naming it,
 * before any work. The original model is left untouched; the new model is uncompiled and serialises as a plain
 * tfjs-layers model.
 *
 * @param model - the model; it is not changed.
 * @param masks - one mask or several (different groups): all removed in one rebuild.
 * @param options - `coupled`: `'group'` (default) prunes coupled layers together, `'refuse'` throws.
 * @returns A new, smaller model that saves and loads as a plain tfjs-layers model.
 *
 * @example
 * ```ts
 * import { maskChannels, pruneChannels } from '@prune/core';
 * import { fileSystem } from '@prune/core/node';
 *
 * const smaller = await pruneChannels(model, maskChannels('conv2', 32, [3, 7, 12]));
 * await smaller.save(fileSystem('./pruned'));
 * ```
 */
export async function pruneChannels(model: LayersModel, masks: ChannelMask | readonly ChannelMask[], options: SurgeryOptions = {}): Promise<LayersModel> {
  return rebuildPruned(model, planSurgery(model, masks, options));
}

/** Rebuilds `model` with the cuts of a plan: one topology edit, one deserialisation, one pass over the weights. */
export async function rebuildPruned(model: LayersModel, plan: SurgeryPlan): Promise<LayersModel> {
  const topology = modelTopology(model);
  for (const surgery of plan.layers) {
    if (surgery.resize !== undefined) applyConfigChange(findLayerConfig(topology, surgery.path), surgery.path, surgery.resize);
  }
  const pruned = await models.modelFromJSON({ modelTopology: topology } as Parameters<typeof models.modelFromJSON>[0]);
  releaseSharedLayers(pruned);
  try {
    const cutsByPath = new Map(plan.layers.map((surgery) => [surgery.path, surgery.cuts]));
    const fresh = new Map(leafLayers(pruned).map((entry) => [entry.path, entry.layer]));
    for (const { path, layer } of leafLayers(model)) {
      if (layer.weights.length === 0) continue;
      const target = fresh.get(path);
      if (target === undefined) throw new Error(`pruneChannels: layer '${path}' is missing from the rebuilt model`);
      setCutWeights(target, layer, path, cutsByPath.get(path) ?? [], 'remove');
    }
  } catch (error) {
    pruned.dispose();
    throw error;
  }
  return pruned;
}

