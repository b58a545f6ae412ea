import type { LayersModel } from '@tensorflow/tfjs-layers';
import { criterionOption, type CriterionName } from '../criteria/criterionByName';
import { scoreChannels, type ImportanceCriterion } from '../criteria/importance';
import { rankChannels } from '../criteria/rankChannels';
import type { EvalData } from '../evaluation/evalData';
import type { Metric } from '../evaluation/metrics';
import { sweepChannels } from '../evaluation/sweepChannels';
import type { SweepPath } from '../evaluation/sweepTypes';
import { channelGroups, type RefusedLayer } from '../graph/channelGroups';
import { groupOfKey } from './groupOfKey';

/** Options of {@link sensitivityAnalysis}. */
export interface SensitivityOptions {
  /** Fractions of each group's channels to prune, each in (0, 1) (default 0.25, 0.5, 0.75). */
  ratios?: readonly number[];
  /** How channels are ranked in each group (default `l1-norm`). */
  criterion?: ImportanceCriterion | CriterionName;
  /** Only these layers' groups (any source names its group); default every prunable group. */
  layers?: readonly string[];
  /** What to measure (default binary accuracy for one output value, arg-max accuracy otherwise). */
  metric?: Metric;
  /** Which model output the metric reads (default 0). */
  output?: number;
  /** Examples per forward pass (default 500). */
  batchSize?: number;
  /** Called after each group with groups done and in all. */
  onProgress?: (done: number, total: number, group: string) => void;
}

/** One group's sensitivity: the metric with each ratio of its channels pruned alone. */
export interface GroupSensitivity {
  group: string;
  channels: number;
  /** For each ratio: the channels pruned (floor(ratio · P), at most P − 1) and the metric. */
  points: { ratio: number; pruned: number; metric: number }[];
  /** How the sweep computed the points (see `SweepResult.path`). */
  path: Exclude<SweepPath, 'naive'>;
}

/** The metric of each group pruned alone at several ratios (as NNI's and Distiller's sensitivity analyses). */
export interface SensitivityResult {
  metricName: string;
  /** The metric of the unpruned model. */
  baseline: number;
  criterion: string;
  groups: GroupSensitivity[];
  /** Source layers whose channels cannot be pruned, with the reason. */
  refused: RefusedLayer[];
}

function checkRatios(ratios: readonly number[]): number[] {
  if (!Array.isArray(ratios) || ratios.length === 0) throw new Error(`sensitivityAnalysis: options.ratios must be a non-empty list of fractions in (0, 1)`);
  for (const r of ratios) {
    if (typeof r !== 'number' || !(r > 0 && r < 1)) throw new Error(`sensitivityAnalysis: options.ratios holds ${JSON.stringify(r)}; each ratio must be in (0, 1)`);
  }
  return [...new Set(ratios)].sort((a, b) => a - b);
}

/**
 * Sensitivity analysis: each pruning group pruned ALONE at each ratio (its weakest channels by the criterion), the
 * metric measured on `data` through the exact sweep of {@link sweepChannels}: what is upstream of the group's
 * consumers runs once per group, and each ratio re-runs only what follows them (through per-channel contributions
 * where the group's consumers allow it). A group early in a residual chain still re-runs most of the network per
 * ratio, so the cost lies between one evaluation pass per group and one per point. Use it to see which groups
 * tolerate pruning, and {@link ratiosFromSensitivity} to turn it into per-layer ratios for `pruneModel`.
 *
 * @param model - the model; it is not changed.
 * @param data - inputs and labels to measure on (held out from training).
 * @param options - `ratios` (default 0.25, 0.5, 0.75), `criterion`, `layers`, `metric`, `output`, `batchSize`.
 * @returns The baseline metric and, per group, the metric at each ratio.
 *
 * @example
 * ```ts
 * import { sensitivityAnalysis } from '@prune/core';
 *
 * const s = await sensitivityAnalysis(model, data, { ratios: [0.25, 0.5] });
 * for (const g of s.groups) console.log(g.group, g.points.map((p) => p.metric));
 * ```
 */
export async function sensitivityAnalysis(model: LayersModel, data: EvalData, options: SensitivityOptions = {}): Promise<SensitivityResult> {
  const ratios = checkRatios(options.ratios ?? [0.25, 0.5, 0.75]);
  if (options.metric === undefined && data.labels === undefined) {
    throw new Error(`sensitivityAnalysis: data.labels is needed for the default metric (accuracy); give labels or options.metric`);
  }
  const criterion = criterionOption(options.criterion, 'sensitivityAnalysis');
  const { groups: all, refused } = channelGroups(model);
  const wanted = options.layers?.map((key) => groupOfKey(model, key, 'sensitivityAnalysis: options.layers', all, refused));
  // A group of one channel cannot lose any.
  const groups = (wanted === undefined ? all : all.filter((g) => wanted.includes(g))).filter((g) => g.channels >= 2);
  const result: SensitivityResult = { metricName: '', baseline: Number.NaN, criterion: criterion.name, groups: [], refused };
  for (const group of groups) {
    const scores = await scoreChannels(criterion, { model, layer: group.id, data, batchSize: options.batchSize });
    const counts = ratios.map((r) => Math.min(group.channels - 1, Math.floor(r * group.channels + 1e-9)));
    const sweep = await sweepChannels(model, group.id, rankChannels(scores), data, {
      ks: counts,
      ...(options.metric ? { metric: options.metric } : {}),
      output: options.output ?? 0,
      batchSize: options.batchSize ?? 500,
    });
    const metricAt = new Map(sweep.points.map((p) => [p.k, p.metric]));
    result.metricName = sweep.metricName;
    result.baseline = sweep.baseline;
    result.groups.push({
      group: group.id,
      channels: group.channels,
      points: ratios.map((ratio, i) => ({ ratio, pruned: counts[i]!, metric: counts[i] === 0 ? sweep.baseline : metricAt.get(counts[i]!)! })),
      path: sweep.path as Exclude<SweepPath, 'naive'>,
    });
    options.onProgress?.(result.groups.length, groups.length, group.id);
  }
  return result;
}

/**
 * Per-group ratios from a sensitivity analysis: for each group the largest analysed ratio up to which every metric
 * stays within `maxDrop` of the baseline (0 when the smallest does not), keyed by group id, ready for
 * `pruneModel({ ratios })`.
 *
 * @param result - a {@link sensitivityAnalysis} result.
 * @param options - `maxDrop`: the largest metric drop allowed per group.
 * @returns Per group (by its name), the largest ratio within `maxDrop`.
 *
 * @example
 * ```ts
 * import { pruneModel, ratiosFromSensitivity, sensitivityAnalysis } from '@prune/core';
 *
 * const sensitivity = await sensitivityAnalysis(model, data);
 * const ratios = ratiosFromSensitivity(sensitivity, { maxDrop: 0.01 });
 * const { model: pruned } = await pruneModel(model, { ratios });
 * ```
 */
export function ratiosFromSensitivity(result: SensitivityResult, options: { maxDrop: number }): Record<string, number> {
  const { maxDrop } = options;
  if (typeof maxDrop !== 'number' || !(maxDrop >= 0)) throw new Error(`ratiosFromSensitivity: maxDrop must be a number ≥ 0, got ${JSON.stringify(maxDrop)}`);
  const ratios: Record<string, number> = {};
  for (const g of result.groups) {
    let ratio = 0;
    for (const p of g.points) {
      if (p.metric < result.baseline - maxDrop) break;
      ratio = p.ratio;
    }
    ratios[g.group] = ratio;
  }
  return ratios;
}
