import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  planPruning,
  pruneModel,
  ratiosFromSensitivity,
  sensitivityAnalysis,
  type EvalData,
  type PruneModelResult,
  type PruningPlan,
  type SensitivityResult,
} from '@prune/core';

// #region preview
/**
 * The dry run: which channels a 30% global prune would remove from every group, without
 * touching the model.
 */
export async function previewPrune(model: LayersModel): Promise<PruningPlan> {
  // l1-norm scores: no data needed
  const plan = await planPruning(model, { ratio: 0.3, strategy: 'global' });
  for (const g of plan.groups)
    console.log(`${g.group}: ${g.channels} channels, would remove ${g.pruned.length}`);
  for (const r of plan.refused) console.log(`left alone: ${r.layer} (${r.reason})`);
  return plan;
}
// #endregion preview

// #region steps
/**
 * Removes 30% of the channels of the whole model in two steps, ranked globally by mean
 * activation on `calibration`,
 * kept counts rounded to a multiple of 2, with one epoch of fine-tuning on `train`
 * after each step.
 */
export async function pruneInSteps(
  model: LayersModel,
  calibration: EvalData,
  train: { x: tf.Tensor; y: tf.Tensor },
): Promise<PruneModelResult> {
  const result = await pruneModel(model, {
    ratio: 0.3,
    strategy: 'global',
    criterion: 'mean-activation',
    data: calibration,
    roundTo: 2,
    steps: 2,
    fineTune: async (pruned, { step }) => {
      pruned.compile({
        optimizer: tf.train.adam(1e-3),
        loss: 'categoricalCrossentropy',
      });
      await pruned.fit(train.x, train.y, {
        epochs: 1,
        batchSize: 50,
        shuffle: false,
        verbose: 0,
      });
      console.log(`step ${step}: fine-tuned`);
    },
  });
  for (const g of result.report.groups) {
    console.log(
      `${g.group}: ${g.channels.before} → ${g.channels.after} channels, ` +
        `${g.params.before} → ${g.params.after} params`,
    );
  }
  const { params, macs } = result.report.totals;
  console.log(
    `model: ${params.before} → ${params.after} params, ` +
      `${macs.before} → ${macs.after} MACs per example`,
  );
  return result;
}
// #endregion steps

// #region sensitivity
/**
 * Each group pruned alone at 25/50/75% on `data`, then per-group ratios that cost at
 * most 2 points of accuracy.
 */
export async function pruneBySensitivity(
  model: LayersModel,
  data: EvalData,
): Promise<{ sensitivity: SensitivityResult; result: PruneModelResult }> {
  const sensitivity = await sensitivityAnalysis(model, data, {
    ratios: [0.25, 0.5, 0.75],
  });
  for (const g of sensitivity.groups) {
    console.log(
      `${g.group}: ` +
        g.points.map((p) => `${p.ratio * 100}% → ${p.metric.toFixed(3)}`).join(', ') +
        ` (baseline ${sensitivity.baseline.toFixed(3)})`,
    );
  }
  const ratios = ratiosFromSensitivity(sensitivity, { maxDrop: 0.02 });
  const result = await pruneModel(model, { ratios });
  return { sensitivity, result };
}
// #endregion sensitivity
