import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import {
  countMacs,
  countParams,
  measureLatency,
  pruneChannels,
  type ChannelMask,
} from '@prune/core';
import { fileSystem } from '@prune/core/node';

/**
 * Removes the masked channels for real, saves the smaller model to `dir`, loads it
 * back, and counts what it saved.
 */
export async function pruneAndSave(
  model: LayersModel,
  mask: ChannelMask,
  dir: string,
  input: tf.Tensor,
) {
  // A NEW model without those channels: conv2's kernel columns and biases, and the
  // Dense rows they fed.
  // `mask` may also be an array of masks, one per pruning group: all of them are
  // removed in one rebuild.
  const pruned = await pruneChannels(model, mask);
  // A plain tfjs-layers model: model.json + weights.bin, in Node without tfjs-node.
  await pruned.save(fileSystem(dir));
  const loaded = await loadLayersModel(fileSystem(dir));

  const params = { before: countParams(model).total, after: countParams(loaded).total };
  // per example
  const macs = { before: countMacs(model).macs, after: countMacs(loaded).macs };
  const latency = {
    before: (await measureLatency(model, input, { runs: 5, warmup: 2 })).medianMs,
    after: (await measureLatency(loaded, input, { runs: 5, warmup: 2 })).medianMs,
  };
  console.log(
    `parameters ${params.before} → ${params.after}, MACs ${macs.before} → ${macs.after}`,
  );
  console.log(
    `latency of one batch: ${latency.before.toFixed(1)} ms → ` +
      `${latency.after.toFixed(1)} ms`,
  );
  pruned.dispose();
  return { loaded, params, macs, latency };
}
