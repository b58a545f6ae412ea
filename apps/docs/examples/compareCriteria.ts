import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  ablationImportance,
  apozImportance,
  l1NormImportance,
  l2NormImportance,
  meanAbsActivationImportance,
  meanActivationImportance,
  randomImportance,
  rankChannels,
  scoreChannels,
  sweepChannels,
  taylorImportance,
  type EvalData,
} from '@prune/core';

/**
 * Every built-in criterion on conv2: the accuracy left after pruning each one's K
 * weakest channels.
 */
export async function compareCriteria(
  model: LayersModel,
  data: EvalData,
  ks: number[] = [1, 4, 8],
) {
  const criteria = [
    meanActivationImportance(), // the lab's
    meanAbsActivationImportance(),
    apozImportance(),
    l1NormImportance(), // weights only
    l2NormImportance(),
    taylorImportance(), // |activation × gradient|: needs labels
    ablationImportance(), // the drop when a channel alone is removed: needs labels
    randomImportance({ seed: 7 }), // the baseline to beat
  ];
  const rows = [];
  for (const criterion of criteria) {
    const order = rankChannels(
      await scoreChannels(criterion, { model, layer: 'conv2', data }),
    );
    const sweep = await sweepChannels(model, 'conv2', order, data, { ks });
    rows.push({
      criterion: criterion.name,
      order,
      accuracy: sweep.points.map((p) => p.metric),
      baseline: sweep.baseline,
    });
  }
  console.table(
    rows.map((r) => ({
      criterion: r.criterion,
      ...Object.fromEntries(ks.map((k, i) => [`K=${k}`, r.accuracy[i]])),
    })),
  );
  return rows;
}
