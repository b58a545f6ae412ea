import type { LayersModel } from '@tensorflow/tfjs-layers';
import { collectActivationStats, type ChannelStats } from '@prune/activations';
import { inputBatches, scoreChannels } from '../criteria/importance';
import { rankChannels } from '../criteria/rankChannels';
import { inputList } from '../evaluation/evalData';
import { channelGroups, type ChannelGroup, type RefusedLayer } from '../graph/channelGroups';
import { groupOfKey } from './groupOfKey';
import { layerSemantics } from '../graph/layerTable';
import type { CheckedChannelMask } from '../masks/channelMask';
import { allocateByTarget, allocateGlobally, type AllocationGroup } from './allocate';
import { checkOptions, type CheckedOptions, type PruningOptions } from './pruningOptions';

/** What a prune step does to one group. */
export interface GroupPlan {
  /** The group's id (its first source's path). */
  group: string;
  /** Paths of its coupled sources. */
  sources: string[];
  /** Its channels before this step. */
  channels: number;
  /** The channels this step removes (indices into the step's model), ascending. */
  pruned: number[];
  /** The criterion's score of each channel (higher = more important). */
  scores: Float64Array;
  /** The layers its pruning changes: its sources, the layers with per-channel weights on its path, its consumers. */
  layers: string[];
}

/** The plan of one prune step: which channels of which groups go, and which groups are left alone and why. */
export interface PruningPlan {
  /** The step (1-based) and the number of steps. */
  step: number;
  steps: number;
  /** The criterion's name. */
  criterion: string;
  strategy: 'uniform' | 'global';
  /** Every group that may be pruned, whether or not this step removes channels from it. */
  groups: GroupPlan[];
  /** Ids of the groups left alone through `exclude`. */
  excluded: string[];
  /** Source layers whose channels cannot be pruned, with the reason (they reach a model output, a custom layer, …). */
  refused: RefusedLayer[];
  /** One mask per group that loses channels: what surgery (or a mask) applies. */
  masks: CheckedChannelMask[];
}

/** Where an iterative prune stands: each group's original channel count and how many are gone. */
export interface PruningState {
  original: Map<string, number>;
  removed: Map<string, number>;
}

/** Scores every group; activation statistics of all sources come from one pass over the data. */
async function scoreGroups(model: LayersModel, groups: readonly ChannelGroup[], options: CheckedOptions, report: (done: number) => void): Promise<Float64Array[]> {
  let stats: Record<string, ChannelStats> | undefined;
  if (options.criterion.requires.includes('activations') && options.data !== undefined) {
    const inputs = inputList(model, options.data, 'pruneModel');
    const layers = groups.flatMap((g) => g.sources.map((s) => s.path));
    stats = await collectActivationStats(model, inputBatches(inputs, options.batchSize ?? 500), { layers });
  }
  const scores: Float64Array[] = [];
  for (const group of groups) {
    const given = stats === undefined ? undefined : group.sources.map((s) => stats![s.path]!);
    scores.push(await scoreChannels(options.criterion, { model, layer: group.id, data: options.data, stats: given, batchSize: options.batchSize }));
    report(scores.length);
  }
  return scores;
}

/** How many channels each group loses in this step, by the per-layer ratios, the uniform ratio or the global ranking. */
function allocate(entries: AllocationGroup[], fixed: ReadonlySet<string>, options: CheckedOptions, fraction: number): Map<string, number> {
  const limits = { roundTo: options.roundTo, minChannels: options.minChannels };
  if (options.strategy === 'uniform') return allocateByTarget(entries, limits);
  const byRatio = allocateByTarget(entries.filter((e) => fixed.has(e.id)), limits);
  const pool = entries.filter((e) => !fixed.has(e.id));
  const total = Math.floor(options.ratio * fraction * pool.reduce((sum, e) => sum + e.channels, 0) + 1e-9) - pool.reduce((sum, e) => sum + e.removed, 0);
  const global = allocateGlobally(pool, Math.max(0, total), limits, options.normalize);
  return new Map([...byRatio, ...global]);
}

/** Plans step `step` of `steps` on the current model (internal: `state` carries the counts across steps). */
export async function planStep(model: LayersModel, options: CheckedOptions, step: number, state: PruningState): Promise<PruningPlan> {
  const { groups: all, refused } = channelGroups(model);
  const excluded = new Set(options.exclude.map((key) => groupOfKey(model, key, 'pruneModel: options.exclude', all, refused).id));
  const fixed = new Map(Object.entries(options.ratios).map(([key, r]) => [groupOfKey(model, key, 'pruneModel: options.ratios', all, refused).id, r]));
  const groups = all.filter((g) => !excluded.has(g.id));
  for (const g of groups) if (!state.original.has(g.id)) state.original.set(g.id, g.channels);
  const total = groups.length;
  options.onProgress?.({ phase: 'score', step, steps: options.steps, done: 0, total });
  const scores = await scoreGroups(model, groups, options, (done) => options.onProgress?.({ phase: 'score', step, steps: options.steps, done, total }));
  const fraction = step / options.steps;
  const entries: AllocationGroup[] = groups.map((g, i) => ({
    id: g.id,
    channels: state.original.get(g.id)!,
    scores: scores[i]!,
    removed: state.removed.get(g.id) ?? 0,
    target: (fixed.get(g.id) ?? options.ratio) * fraction,
  }));
  const counts = allocate(entries, new Set(fixed.keys()), options, fraction);
  const plans = groups.map((g, i): GroupPlan => {
    const order = rankChannels(scores[i]!);
    const pruned = Array.from(order.subarray(0, counts.get(g.id) ?? 0)).sort((a, b) => a - b);
    const touched = [...g.sources, ...g.path.filter((p) => layerSemantics(p.layer).role === 'channelwise'), ...g.consumers];
    return { group: g.id, sources: g.sources.map((s) => s.path), channels: g.channels, pruned, scores: scores[i]!, layers: [...new Set(touched.map((m) => m.path))] };
  });
  return {
    step,
    steps: options.steps,
    criterion: options.criterion.name,
    strategy: options.strategy,
    groups: plans,
    excluded: [...excluded],
    refused,
    masks: plans.filter((p) => p.pruned.length > 0).map((p) => ({ layer: p.group, channels: p.channels, pruned: p.pruned })),
  };
}

/**
 * The dry run of {@link pruneModel}: the plan of its first step (which channels of which groups it would remove,
 * the scores behind the choice, the groups left alone and why) without changing or copying the model. With
 * `steps` > 1 later steps rank the channels of the fine-tuned model, so only the first is planned here.
 *
 * @param model - the model; it is not changed.
 * @param options - as for {@link pruneModel} (`steps` and `fineTune` are ignored).
 * @returns Per group, the channels that would go, and the refused layers with reasons.
 *
 * @example
 * ```ts
 * import { planPruning } from '@prune/core';
 *
 * const plan = await planPruning(model, { ratio: 0.3, strategy: 'global' });
 * for (const g of plan.groups) console.log(g.group, `${g.pruned.length}/${g.channels}`);
 * ```
 */
export async function planPruning(model: LayersModel, options: PruningOptions): Promise<PruningPlan> {
  return planStep(model, checkOptions(options), 1, { original: new Map(), removed: new Map() });
}
