import type { LayersModel } from '@tensorflow/tfjs-layers';
import { groupOfLayer, type ChannelGroup } from '../graph/channelGroups';
import type { FlatGraph } from '../graph/flatGraph';
import { checkPruned, type ChannelMask } from './channelMask';

/** A mask resolved to its pruning group: the group and its pruned channels, sorted. */
export interface GroupMask {
  /** The mask's layer, by its canonical path. */
  layer: string;
  group: ChannelGroup;
  pruned: number[];
}

/**
 * Resolves masks to their groups on `graph`, checked before any work: each layer must head a prunable group, the
 * channel count (when given) must match, indices must be valid, and two masks may not name the same group.
 */
export function groupMasks(
  model: LayersModel,
  graph: FlatGraph,
  masks: ChannelMask | readonly ChannelMask[],
  caller: string,
  options: { allowAll?: boolean; allowEmpty?: boolean } = {},
): GroupMask[] {
  const list: readonly ChannelMask[] = Array.isArray(masks) ? masks : [masks as ChannelMask];
  const byGroup = new Map<string, ChannelMask>();
  return list.map((mask, i) => {
    if (mask === null || typeof mask !== 'object' || typeof mask.layer !== 'string' || mask.pruned === undefined) {
      throw new Error(`${caller}: mask ${i} must be { layer: string, pruned: channel indices }, got ${JSON.stringify(mask)}`);
    }
    const { path, group } = groupOfLayer(model, mask.layer, graph);
    if (mask.channels !== undefined && mask.channels !== group.channels) {
      throw new Error(`${caller}: the mask for '${mask.layer}' is for ${mask.channels} channels but the layer has ${group.channels}`);
    }
    const previous = byGroup.get(group.id);
    if (previous !== undefined) {
      throw new Error(`${caller}: masks for '${previous.layer}' and '${mask.layer}' name the same pruning group ('${group.id}'); give one mask per group`);
    }
    byGroup.set(group.id, mask);
    const pruned = checkPruned(caller, mask.layer, group.channels, mask.pruned, options.allowAll ?? false, options.allowEmpty ?? true);
    return { layer: path, group, pruned };
  });
}
