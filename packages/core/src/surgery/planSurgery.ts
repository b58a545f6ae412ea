import type { LayersModel } from '@tensorflow/tfjs-layers';
import { mapChannelIndices } from '../graph/channelIndexMap';
import type { ChannelGroup, GroupMember } from '../graph/channelGroups';
import { flattenModel } from '../graph/flatGraph';
import { layerSemantics, type WeightAxis } from '../graph/layerTable';
import { weightIndex, type Layer } from '../graph/modelTree';
import type { ChannelMask } from '../masks/channelMask';
import { groupMasks, type GroupMask } from '../masks/groupMasks';

/** One cut in one weight of one layer: the indices removed (or, in a mask, zeroed) along an axis. */
export interface WeightCut {
  /** Weight name within its layer: 'kernel', 'bias', 'gamma', 'depthwise_kernel', … */
  weight: string;
  /** Axis of the weight tensor the indices run along (e.g. 3 = output filters of a Conv2D kernel [kh, kw, in, out]). */
  axis: number;
  /** Indices removed along `axis`, ascending. */
  remove: number[];
}

/** A config field surgery changes: a source's width, or the last entry of a Reshape's target shape. */
export interface ConfigChange {
  field: 'filters' | 'units' | 'targetShape';
  /** The value before surgery (for a Reshape: the target shape's last entry). */
  from: number;
  /** The value after surgery. */
  to: number;
}

/** Everything surgery changes in one layer: its weight cuts and, where the config holds a width, the new width. */
export interface LayerSurgery {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** Its tfjs class name, e.g. 'Conv2D'. */
  className: string;
  /** The cuts in the layer's weights, one per weight and axis. */
  cuts: WeightCut[];
  /** The config change (a source's filters or units, a Reshape's target shape), if any. */
  resize?: ConfigChange;
}

/** The plan of a channel removal: each mask's group with its pruned channels, and the cuts in every affected layer. */
export interface SurgeryPlan {
  /** The pruning groups and their pruned channels, one per mask. */
  groups: GroupMask[];
  /** One entry per affected layer, in the order first reached. */
  layers: LayerSurgery[];
}

/** Options of {@link planSurgery} and `pruneChannels`. */
export interface SurgeryOptions {
  /**
   * What to do when other layers' channels are coupled to a mask's layer (Add, Multiply, shared layers, …):
   * 'group' (default) removes the same channels from all of them; 'refuse' throws an error naming them.
   */
  coupled?: 'group' | 'refuse';
  /** Accept a mask that prunes nothing (a mask's copy of the model; default false: surgery that removes nothing is a mistake). */
  allowEmpty?: boolean;
}

function weightRank(layer: Layer, name: string): number | undefined {
  return layer.weights[weightIndex(layer, name)]?.shape.length;
}

function expand(indices: readonly number[], perChannel: number): number[] {
  if (perChannel === 1) return [...indices];
  return indices.flatMap((i) => Array.from({ length: perChannel }, (_, k) => i * perChannel + k));
}

/** Collects cuts per layer, merging cuts of the same weight and axis (indices always refer to the original weight). */
class CutTable {
  readonly byLayer = new Map<Layer, LayerSurgery>();

  entry(member: GroupMember): LayerSurgery {
    let entry = this.byLayer.get(member.layer);
    if (entry === undefined) {
      entry = { path: member.path, className: member.className, cuts: [] };
      this.byLayer.set(member.layer, entry);
    }
    return entry;
  }

  cut(member: GroupMember, weights: readonly WeightAxis[], indices: readonly number[]): void {
    const entry = this.entry(member);
    for (const w of weights) {
      const rank = weightRank(member.layer, w.weight);
      if (rank === undefined) continue; // e.g. no bias
      const axis = w.axis < 0 ? rank + w.axis : w.axis;
      const remove = expand(indices, w.perChannel);
      const existing = entry.cuts.find((c) => c.weight === w.weight && c.axis === axis);
      if (existing === undefined) entry.cuts.push({ weight: w.weight, axis, remove: [...new Set(remove)].sort((a, b) => a - b) });
      else existing.remove = [...new Set([...existing.remove, ...remove])].sort((a, b) => a - b);
    }
  }
}

/** The indices a member's applications read the pruned channels at (the same in every application, as groups check). */
function inputIndices(member: GroupMember, pruned: readonly number[]): number[] {
  return [...new Set(member.applications.flatMap((a) => mapChannelIndices(a.map, pruned)))].sort((a, b) => a - b);
}

function planGroup(table: CutTable, group: ChannelGroup, pruned: readonly number[]): void {
  for (const source of group.sources) {
    const semantics = layerSemantics(source.layer);
    table.cut(source, semantics.outputs, pruned);
    table.entry(source).resize = { field: semantics.widthField!, from: group.channels, to: group.channels - pruned.length };
  }
  for (const step of group.path) {
    const semantics = layerSemantics(step.layer);
    if (semantics.role === 'channelwise') table.cut(step, semantics.channelWeights, inputIndices(step, pruned));
    if (semantics.role === 'reshape') {
      const size = step.applications[0]!.map.size;
      table.entry(step).resize = { field: 'targetShape', from: size, to: size - inputIndices(step, pruned).length };
    }
  }
  for (const consumer of group.consumers) table.cut(consumer, layerSemantics(consumer.layer).inputs, inputIndices(consumer, pruned));
}

/**
 * Plans the removal of the masked channels of every mask's group in one model: which weights of which layers lose
 * which indices, and which config fields change. Throws the group errors (naming the layer that blocks a group) and
 * errors for bad masks before any work.
 *
 * @param model - the model.
 * @param masks - one mask or several.
 * @param options - `coupled`: `'group'` (default) or `'refuse'`.
 * @returns Per layer, the weight slices and config changes surgery would make.
 *
 * @example
 * ```ts
 * import { maskChannels, planSurgery } from '@prune/core';
 *
 * const plan = planSurgery(model, maskChannels('conv2', 32, [1, 2]));
 * for (const l of plan.layers) console.log(l.path, l.cuts.map((c) => c.weight));
 * ```
 */
export function planSurgery(model: LayersModel, masks: ChannelMask | readonly ChannelMask[], options: SurgeryOptions = {}): SurgeryPlan {
  return planSurgeryFor(model, masks, options, 'pruneChannels');
}

/** {@link planSurgery}, with `caller` naming the public function in error messages. */
export function planSurgeryFor(model: LayersModel, masks: ChannelMask | readonly ChannelMask[], options: SurgeryOptions, caller: string): SurgeryPlan {
  const coupled = options.coupled ?? 'group';
  if (coupled !== 'group' && coupled !== 'refuse') {
    throw new Error(`${caller}: options.coupled must be 'group' or 'refuse', got ${JSON.stringify(coupled)}`);
  }
  const groups = groupMasks(model, flattenModel(model), masks, caller, { allowEmpty: options.allowEmpty ?? false });
  const table = new CutTable();
  for (const { layer, group, pruned } of groups) {
    if (coupled === 'refuse' && group.sources.length > 1) {
      const others = group.sources.filter((s) => s.path !== layer).map((s) => `'${s.path}'`).join(', ');
      throw new Error(
        `${caller}: the channels of '${layer}' are coupled with ${others} through ${group.couplings.map((c) => `'${c}'`).join(', ') || 'a shared layer'}; ` +
          `they can only be removed together (options.coupled = 'group')`,
      );
    }
    if (pruned.length > 0) planGroup(table, group, pruned);
  }
  return { groups, layers: [...table.byLayer.values()] };
}
