import * as tf from '@tensorflow/tfjs-core';
import type { ChannelGroup } from '../graph/channelGroups';
import { layerSemantics } from '../graph/layerTable';
import { weightIndex } from '../graph/modelTree';
import type { ImportanceCriterion } from './importance';

/**
 * Σ over the group's sources of Σ |w|^p over each channel's filter (its kernel slice; biases are left out), per
 * channel: the p-th power of the norm of all coupled filters of the channel taken together.
 */
function filterPowerSums(group: ChannelGroup, p: 1 | 2): Float64Array {
  const total = new Float64Array(group.channels);
  for (const source of group.sources) {
    const kernel = layerSemantics(source.layer).outputs[0]!;
    const index = weightIndex(source.layer, kernel.weight);
    const values = tf.tidy(() => {
      const w = source.layer.getWeights()[index]!;
      const axis = kernel.axis < 0 ? w.rank + kernel.axis : kernel.axis;
      // [channels, rest]: move the channel axis first, then reduce the rest.
      const perm = [axis, ...w.shape.map((_, i) => i).filter((i) => i !== axis)];
      const rows = tf.reshape(tf.transpose(w, perm), [group.channels, -1]);
      return p === 1 ? tf.sum(tf.abs(rows), 1) : tf.sum(tf.square(rows), 1);
    });
    values.dataSync().forEach((v, c) => (total[c]! += v));
    values.dispose();
  }
  return total;
}

/**
 * The L1 norm of each channel's filters (Li et al. 2017): the kernel slice of every coupled source, no bias, summed
 * over the group's sources. Needs weights only.
 *
 *
 * @example
 * ```ts
 * import { l1NormImportance, scoreChannels } from '@prune/core';
 *
 * // Weights only: no data needed.
 * const scores = await scoreChannels(l1NormImportance(), { model, layer: 'conv2' });
 * ```
 */
export function l1NormImportance(): ImportanceCriterion {
  return { name: 'l1-norm', requires: [], score: (ctx) => filterPowerSums(ctx.group, 1) };
}

/**
 * The L2 norm of each channel's filters over every coupled source taken together (kernel slices, no bias).
 *
 *
 * @example
 * ```ts
 * import { l2NormImportance, planPruning } from '@prune/core';
 *
 * const plan = await planPruning(model, { ratio: 0.25, criterion: l2NormImportance() });
 * ```
 */
export function l2NormImportance(): ImportanceCriterion {
  return { name: 'l2-norm', requires: [], score: (ctx) => filterPowerSums(ctx.group, 2).map(Math.sqrt) };
}
