import type { LayersModel } from '@tensorflow/tfjs-layers';
import { collectActivationStats, resolveLayerEntry, type ChannelStats } from '@prune/activations';
import * as tf from '@tensorflow/tfjs-core';
import { groupOfLayer, type ChannelGroup } from '../graph/channelGroups';
import { checkBatchSize, inputList, labelArray, sliceInputs, type EvalData } from '../evaluation/evalData';

/** What a criterion needs besides the model's weights. */
export type ImportanceRequirement = 'activations' | 'data' | 'labels';

/** What the caller gives {@link scoreChannels}: the model, the layer, and whatever data the criterion needs. */
export interface ImportanceContext {
  /** The model that holds the layer. */
  model: LayersModel;
  /** The layer whose output channels are scored (`conv2` or `encoder/conv2`). */
  layer: string;
  /** Examples to run the model on (activation criteria, Taylor, ablation). */
  data?: EvalData;
  /**
   * Precomputed activation statistics (from `collectActivationStats`) of the layer, or of every source of its group
   * (one entry per source); used instead of `data` when given.
   */
  stats?: ChannelStats | readonly ChannelStats[];
  /** Examples per forward pass when the criterion runs the model (default 500). */
  batchSize?: number;
}

/** What a criterion's `score` receives: the layer's pruning group plus lazy access to its activation statistics. */
export interface ScoringContext {
  /** The model that holds the layer. */
  model: LayersModel;
  /** The layer's canonical path (e.g. `encoder/conv2`). */
  layer: string;
  /** The layer's pruning group: its coupled sources (the layer among them), the path and the consumers. */
  group: ChannelGroup;
  /** The group's number of channels P. */
  channels: number;
  /** The examples, when given. */
  data: EvalData | undefined;
  /** The labels as floats, when given. */
  labels: Float32Array | null;
  /** Examples per forward pass when the criterion runs the model (the given one, default 500). */
  batchSize: number;
  /** The activation statistics of every source of the group (in `group.sources` order): the given ones, or computed once from `data`. */
  activationStats(): Promise<ChannelStats[]>;
}

/**
 * An importance criterion: one score per channel of a pruning group, higher meaning more important, so ranking
 * ascending puts the channels to prune first. A criterion scores the group, not one layer: it reduces over the
 * group's coupled sources (each built-in criterion documents how). Implement this interface to add your own.
 */
export interface ImportanceCriterion {
  /** A short name for reports and error messages, e.g. `mean-activation`. */
  readonly name: string;
  /** What the criterion needs; {@link scoreChannels} checks it before calling `score`. */
  readonly requires: readonly ImportanceRequirement[];
  /** The score of each output channel, in channel order (length P, finite numbers). */
  score(context: ScoringContext): ArrayLike<number> | Promise<ArrayLike<number>>;
}

/** The model's inputs cut into batches of `batchSize`; each batch is disposed when the next is asked for. */
export function* inputBatches(inputs: readonly tf.Tensor[], batchSize: number): Generator<tf.Tensor[]> {
  const count = inputs[0]!.shape[0]!;
  for (let start = 0; start < count; start += batchSize) {
    const batch = sliceInputs(inputs, start, Math.min(count, start + batchSize));
    try {
      yield batch;
    } finally {
      tf.dispose(batch);
    }
  }
}

/** The given statistics, one per source of the group, checked to be for those layers. */
function givenStats(model: LayersModel, group: ChannelGroup, stats: ChannelStats | readonly ChannelStats[], who: string): ChannelStats[] {
  const list: readonly ChannelStats[] = Array.isArray(stats) ? stats : [stats as ChannelStats];
  return group.sources.map((source) => {
    const found = list.find((s) => {
      try {
        return resolveLayerEntry(model, s.layer).layer === source.layer;
      } catch {
        return false;
      }
    });
    if (found === undefined) {
      throw new Error(`${who}: the given stats are for ${list.map((s) => `'${s.layer}'`).join(', ')}, not for '${source.path}' (a source of the group)`);
    }
    if (found.channels !== group.channels) {
      throw new Error(`${who}: the given stats are for layer '${found.layer}' with ${found.channels} channels, not ${group.channels}`);
    }
    return found;
  });
}

/**
 * Scores every channel of the pruning group of `context.layer` with `criterion`, after checking that the layer
 * exists and heads a prunable group and that the context holds what the criterion requires (a clear error naming
 * the criterion if not).
 *
 * @param criterion - the importance criterion (`l1NormImportance()`, `meanActivationImportance()`, your own, …).
 * @param context - `model`, `layer` (any source of the group), and what the criterion needs: `data` (inputs, labels) or precomputed `stats`.
 * @returns One score per channel of the layer's group, higher = more important.
 *
 * @example
 * ```ts
 * import { meanActivationImportance, rankChannels, scoreChannels } from '@prune/core';
 *
 * const criterion = meanActivationImportance();
 * const scores = await scoreChannels(criterion, { model, layer: 'conv2', data });
 * const order = rankChannels(scores); // weakest first
 * ```
 */
export async function scoreChannels(criterion: ImportanceCriterion, context: ImportanceContext): Promise<Float64Array> {
  const { model } = context;
  const { path, group } = groupOfLayer(model, context.layer);
  const who = `criterion '${criterion.name}' on layer '${path}'`;
  const batchSize = checkBatchSize(context.batchSize, 500, who);
  const inputs = context.data ? inputList(model, context.data, who) : null;
  const labels = context.data && inputs ? labelArray(context.data, inputs[0]!.shape[0]!, who) : null;
  for (const need of criterion.requires) {
    if (need === 'activations' && !context.stats && !context.data) {
      throw new Error(`${who} needs activation statistics: pass 'stats' (from collectActivationStats) or 'data' to compute them from`);
    }
    if (need === 'data' && !context.data) throw new Error(`${who} needs 'data' (the model's inputs) and none was given`);
    if (need === 'labels' && labels === null) throw new Error(`${who} needs labels: 'data.labels' is missing`);
  }
  let stats: Promise<ChannelStats[]> | null = context.stats ? Promise.resolve(givenStats(model, group, context.stats, who)) : null;
  const scoring: ScoringContext = {
    model,
    layer: path,
    group,
    channels: group.channels,
    data: context.data,
    labels,
    batchSize,
    activationStats(): Promise<ChannelStats[]> {
      if (stats !== null) return stats;
      if (inputs === null) throw new Error(`${who} needs activation statistics but neither 'stats' nor 'data' was given`);
      const paths = group.sources.map((s) => s.path);
      stats = collectActivationStats(model, inputBatches(inputs, batchSize), { layers: paths }).then((all: Record<string, ChannelStats>) =>
        paths.map((p) => {
          const found = all[p];
          if (found === undefined) throw new Error(`${who}: collectActivationStats returned no statistics for '${p}'`);
          return found;
        }),
      );
      return stats;
    },
  };
  const raw = await criterion.score(scoring);
  if (raw.length !== group.channels) {
    throw new Error(`${who} returned ${raw.length} scores for ${group.channels} channels`);
  }
  const scores = Float64Array.from(raw);
  scores.forEach((s, c) => {
    if (!Number.isFinite(s)) throw new Error(`${who} gave channel ${c} the score ${s}; scores must be finite`);
  });
  return scores;
}
