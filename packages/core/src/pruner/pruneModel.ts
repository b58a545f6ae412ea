import type { LayersModel } from '@tensorflow/tfjs-layers';
import { planSurgery } from '../surgery/planSurgery';
import { cloneModel } from '../surgery/cloneModel';
import { rebuildPruned } from '../surgery/pruneChannels';
import { planStep, type PruningPlan, type PruningState } from './planPruning';
import { pruningReport, type BeforeAfter, type PruningReport } from './pruningReport';
import { checkOptions, type PruningOptions } from './pruningOptions';

/** What {@link pruneModel} returns: the pruned model and, per step, its plan and counts. */
export interface PruneModelResult {
  /** The pruned model (a new model; the input model is left untouched). Uncompiled unless the fine-tune compiled it. */
  model: LayersModel;
  /** Each step's plan and report, in order. */
  steps: { plan: PruningPlan; report: PruningReport }[];
  /** The counts from the input model to the final one, per group and in total. */
  report: PruningReport;
}

/** Each group's channels before and after a step. */
function stepChannels(plan: PruningPlan): { group: string; channels: BeforeAfter; layers: string[] }[] {
  return plan.groups.map((g) => ({ group: g.group, channels: { before: g.channels, after: g.channels - g.pruned.length }, layers: g.layers }));
}

/** The report from the first step's input to the last step's output. */
function overall(steps: PruneModelResult['steps'], first: LayersModel, last: LayersModel): PruningReport {
  const after = new Map(steps.flatMap(({ report }) => report.groups.map((g) => [g.group, g.channels.after] as const)));
  const rows = stepChannels(steps[0]!.plan).map((g) => ({ ...g, channels: { before: g.channels.before, after: after.get(g.group)! } }));
  return pruningReport(rows, first, last);
}

/**
 * Prunes many groups of a model in one call (Torch-Pruning's MetaPruner, NNI's pruners): scores every pruning group
 * with the criterion, chooses the channels by a uniform ratio, a global ranking across groups or per-layer ratios
 * (with layers left alone, kept counts rounded to a multiple and a minimum per group), and removes them with ONE
 * rebuild per step. With `steps` > 1 it prunes in equal steps and calls `fineTune` after each, re-scoring the
 * fine-tuned model. Every option is checked before any work; groups that cannot be pruned (their channels reach a
 * model output or an unknown layer) are left alone and listed with the reason in each plan's `refused`. For a dry
 * run, see {@link planPruning}.
 *
 * @param model - the model; it is not changed.
 * @param options - `ratio` or `ratios`, `strategy`, `criterion` and `data`, `exclude`, `roundTo`, `minChannels`, `steps` and `fineTune`; see {@link PruningOptions}.
 * @returns The pruned model, each step's plan and report, and the report from first model to last.
 *
 * @example
 * ```ts
 * import { pruneModel } from '@prune/core';
 *
 * const { model: pruned, report } = await pruneModel(model, { ratio: 0.3 });
 * const { params } = report.totals;
 * console.log(`${params.before} → ${params.after} parameters`);
 * ```
 */
export async function pruneModel(model: LayersModel, options: PruningOptions): Promise<PruneModelResult> {
  const checked = checkOptions(options);
  const state: PruningState = { original: new Map(), removed: new Map() };
  const steps: PruneModelResult['steps'] = [];
  let current = model;
  try {
    for (let step = 1; step <= checked.steps; step += 1) {
      const plan = await planStep(current, checked, step, state);
      checked.onProgress?.({ phase: 'rebuild', step, steps: checked.steps });
      const next = plan.masks.length === 0 ? current : await rebuildPruned(current, planSurgery(current, plan.masks));
      const report = pruningReport(stepChannels(plan), current, next);
      for (const g of plan.groups) state.removed.set(g.group, (state.removed.get(g.group) ?? 0) + g.pruned.length);
      if (current !== model && next !== current) current.dispose();
      current = next;
      steps.push({ plan, report });
      if (checked.fineTune !== undefined) {
        checked.onProgress?.({ phase: 'fine-tune', step, steps: checked.steps });
        await checked.fineTune(current, { step, steps: checked.steps, plan, report });
      }
    }
  } catch (error) {
    if (current !== model) current.dispose();
    throw error;
  }
  // A prune that removed nothing still returns a model of its own, so the caller may always dispose it.
  if (current === model) current = await cloneModel(model);
  return { model: current, steps, report: overall(steps, model, current) };
}
