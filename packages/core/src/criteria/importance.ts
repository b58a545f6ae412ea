import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import { collectActivationStats, resolveLayerEntry, type ChannelStats } from '@prune/activations';
import * as tf from '@tensorflow/tfjs-core';
import { channelLayout } from '../masks/channelWeights';
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
  /** Precomputed activation statistics of this layer (from `collectActivationStats`); used instead of `data` when given. */
  stats?: ChannelStats;
  /** Examples per forward pass when the criterion runs the model (default 500). */
  batchSize?: number;
}

/** What a criterion's `score` receives: the resolved layer plus lazy access to its activation statistics. */
export interface ScoringContext {
  /** The model that holds the layer. */
  model: LayersModel;
  /** The layer's canonical path (e.g. `encoder/conv2`). */
  layerPath: string;
  /** The layer instance. */
  layer: layers.Layer;
  /** Its number of output channels P. */
  channels: number;
  /** The examples, when given. */
  data: EvalData | undefined;
  /** The labels as floats, when given. */
  labels: Float32Array | null;
  /** Examples per forward pass when the criterion runs the model (the given one, default 500). */
  batchSize: number;
  /** The layer's activation statistics: the given ones, or computed once from `data`. */
  activationStats(): Promise<ChannelStats>;
}

/**
 * An importance criterion: one score per output channel of a layer, higher meaning more important, so ranking
 * ascending puts the channels to prune first. Implement this interface to add a criterion of your own.
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

/**
 * Scores every output channel of `context.layer` with `criterion`, after checking that the layer exists and has
 * output channels and that the context holds what the criterion requires (a clear error naming the criterion if not).
 */
export async function scoreChannels(criterion: ImportanceCriterion, context: ImportanceContext): Promise<Float64Array> {
  const { model } = context;
  const entry = resolveLayerEntry(model, context.layer);
  const layout = channelLayout(entry.layer, entry.path);
  const who = `criterion '${criterion.name}' on layer '${entry.path}'`;
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
  if (context.stats) {
    const s = context.stats;
    let statsLayer: unknown = null;
    try {
      statsLayer = resolveLayerEntry(model, s.layer).layer;
    } catch {
      // reported below
    }
    if (statsLayer !== entry.layer || s.channels !== layout.channels) {
      throw new Error(`${who}: the given stats are for layer '${s.layer}' with ${s.channels} channels, not this layer (${layout.channels} channels)`);
    }
  }
  let stats: Promise<ChannelStats> | null = context.stats ? Promise.resolve(context.stats) : null;
  const scoring: ScoringContext = {
    model,
    layerPath: entry.path,
    layer: entry.layer,
    channels: layout.channels,
    data: context.data,
    labels,
    batchSize,
    activationStats(): Promise<ChannelStats> {
      if (stats !== null) return stats;
      if (inputs === null) throw new Error(`${who} needs activation statistics but neither 'stats' nor 'data' was given`);
      const computed = collectActivationStats(model, inputBatches(inputs, batchSize), { layers: [entry.path] }).then(
        (all: Record<string, ChannelStats>) => {
          const found = all[entry.path] ?? Object.values(all)[0];
          if (found === undefined) throw new Error(`${who}: collectActivationStats returned no statistics for the layer`);
          return found;
        },
      );
      stats = computed;
      return computed;
    },
  };
  const raw = await criterion.score(scoring);
  if (raw.length !== layout.channels) {
    throw new Error(`${who} returned ${raw.length} scores for ${layout.channels} channels`);
  }
  const scores = Float64Array.from(raw);
  scores.forEach((s, c) => {
    if (!Number.isFinite(s)) throw new Error(`${who} gave channel ${c} the score ${s}; scores must be finite`);
  });
  return scores;
}
