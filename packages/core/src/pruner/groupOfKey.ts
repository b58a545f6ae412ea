import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import type { ChannelGroup, RefusedLayer } from '../graph/channelGroups';

/**
 * The group a user's layer key names (any of its sources), or a clear error starting with `what` (e.g.
 * `pruneModel: options.exclude`): not a layer, not a source, or refused with its reason.
 */
export function groupOfKey(model: LayersModel, key: string, what: string, groups: readonly ChannelGroup[], refused: readonly RefusedLayer[]): ChannelGroup {
  let layer: ReturnType<typeof resolveLayerEntry>;
  try {
    layer = resolveLayerEntry(model, key);
  } catch (error) {
    throw new Error(`${what} names '${key}': ${(error as Error).message.replace(/^resolveLayer: /, '')}`);
  }
  const group = groups.find((g) => g.sources.some((s) => s.layer === layer.layer));
  if (group !== undefined) return group;
  const why = refused.find((r) => r.layer === layer.path);
  if (why !== undefined) throw new Error(`${what} names '${key}', whose channels cannot be pruned: ${why.reason}`);
  throw new Error(`${what} names '${key}' (${layer.className}), which is not a source of any pruning group; name a layer with its own filters or units`);
}
