import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  meanActivationImportance,
  naiveSweep,
  rankChannels,
  scoreChannels,
  sweepChannels,
  type EvalData,
} from '@prune/core';

/**
 * Accuracy for every K = 1 … 15 through the exact fast path, and a few Ks the naive
 * way, to compare.
 */
export async function sweepConv2(model: LayersModel, test: EvalData) {
  const order = rankChannels(
    await scoreChannels(meanActivationImportance(), {
      model,
      layer: 'conv2',
      data: test,
    }),
  );

  // Upstream of conv2 once, then one channel's contribution to the Dense consumer
  // removed per K.
  const fast = await sweepChannels(model, 'conv2', order, test);
  for (const { k, metric } of fast.points)
    console.log(`K=${String(k).padStart(2)} | Test Acc=${metric.toFixed(4)}`);
  console.log(`${fast.path}: ${fast.note} (${fast.seconds.toFixed(2)} s)`);

  // The lab's way: copy the model, zero the K weakest channels, evaluate the whole
  // model; once per K.
  const naive = await naiveSweep(model, 'conv2', order, test, { ks: [1, 8, 15] });
  return { fast, naive };
}
