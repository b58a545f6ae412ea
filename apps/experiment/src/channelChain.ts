import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import { channelGroup, channelGroups, type ChannelGroup, type GroupMember } from '@prune/core';

/** A layer's pruning group, the layer among its sources, and the layers its channels pass through one after another. */
export interface ChannelChain {
  group: ChannelGroup;
  source: GroupMember;
  /**
   * The members of `group.path` that follow the source's (first) application in a single line: each the only
   * reader of the one before, stopping at the first branch, consumer or model output.
   */
  chain: GroupMember[];
}

/**
 * The pruning group of `layer` (from @prune/core's channel-group graph) and the chain of layers right after it.
 * Throws @prune/core's error, naming the layer, when the layer heads no prunable group.
 */
export function channelChain(model: LayersModel, layer: string): ChannelChain {
  const path = resolveLayerEntry(model, layer).path;
  const { graph, groups } = channelGroups(model);
  // channelGroup throws the reason when no group has the layer among its sources.
  const group = groups.find((g) => g.sources.some((s) => s.path === path)) ?? channelGroup(model, path, graph);
  const source = group.sources.find((s) => s.path === path) as GroupMember;
  const chain: GroupMember[] = [];
  let value = graph.ops[source.applications[0]!.op]!.outputs[0]!;
  while (!graph.outputs.includes(value)) {
    const readers = graph.consumers[value] ?? [];
    if (readers.length !== 1) break;
    const next = graph.ops[readers[0]!]!;
    const member = group.path.find((m) => m.layer === next.layer);
    if (member === undefined) break;
    chain.push(member);
    value = next.outputs[0]!;
  }
  return { group, source, chain };
}
