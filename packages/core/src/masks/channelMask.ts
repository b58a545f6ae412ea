/**
 * Which output channels of one layer's pruning group are pruned (zeroed by a mask, removed by surgery). The layer
 * may be any source of the group: pruning channel c of a conv coupled by an Add prunes channel c of its partners.
 */
export interface ChannelMask {
  /** The layer's path, as given to `resolveLayer` (`conv2` or `encoder/conv2`). */
  layer: string;
  /** The pruned channel indices (any order; an Int32Array from `rankChannels` works). */
  pruned: ArrayLike<number>;
  /** The layer's number of output channels P, when known: checked against the model. */
  channels?: number;
}

/** A mask with its channel count known and its indices sorted (what {@link maskWeakest} and {@link maskChannels} return). */
export interface CheckedChannelMask extends ChannelMask {
  channels: number;
  pruned: number[];
}

/**
 * The mask of the K weakest channels of a layer: the first K entries of `order` (from `rankChannels`).
 * K must be an integer in 0 … P-1 (pruning every channel would cut the network).
 *
 * @param layer - the layer (any source of its group) whose channels are masked.
 * @param order - channel indices, weakest first (`rankChannels`).
 * @param k - how many of the weakest to prune, 0 … P-1.
 *
 * @example
 * ```ts
 * import { applyChannelMask, l1NormImportance, maskWeakest } from '@prune/core';
 * import { rankChannels, scoreChannels } from '@prune/core';
 *
 * const scores = await scoreChannels(l1NormImportance(), { model, layer: 'conv2' });
 * const order = rankChannels(scores);
 * const masked = await applyChannelMask(model, maskWeakest('conv2', order, 8));
 * ```
 */
export function maskWeakest(layer: string, order: ArrayLike<number>, k: number): CheckedChannelMask {
  const channels = order.length;
  checkOrder(layer, order);
  if (!Number.isInteger(k) || k < 0 || k > channels - 1) {
    throw new Error(`maskWeakest: K = ${k} for layer '${layer}' is outside 0 … ${channels - 1} (the layer has ${channels} channels)`);
  }
  const pruned = Array.from({ length: k }, (_, i) => order[i]!).sort((a, b) => a - b);
  return { layer, channels, pruned };
}

/**
 * A mask pruning the given channels of a layer with P channels; indices must be distinct integers in 0 … P-1,
 * and at least one channel must stay.
 *
 * @param layer - the layer (any source of its group).
 * @param channels - the group's channel count P.
 * @param pruned - the channel indices to prune.
 *
 * @example
 * ```ts
 * import { maskChannels, pruneChannels } from '@prune/core';
 *
 * const pruned = await pruneChannels(model, maskChannels('conv2', 32, [3, 7, 12]));
 * ```
 */
export function maskChannels(layer: string, channels: number, pruned: ArrayLike<number> | Iterable<number>): CheckedChannelMask {
  const list = checkPruned('maskChannels', layer, channels, pruned, false);
  return { layer, channels, pruned: list };
}

/**
 * The pruned indices as a sorted list, checked: distinct integers in 0 … channels-1, (unless `allowAll`) at least
 * one channel left, and (unless `allowEmpty`) at least one pruned. Errors name the caller and the layer.
 */
export function checkPruned(
  caller: string,
  layer: string,
  channels: number,
  pruned: ArrayLike<number> | Iterable<number>,
  allowAll: boolean,
  allowEmpty = true,
): number[] {
  const list = Symbol.iterator in Object(pruned) ? [...(pruned as Iterable<number>)] : Array.from(pruned as ArrayLike<number>);
  const seen = new Set<number>();
  for (const c of list) {
    if (!Number.isInteger(c) || c < 0 || c >= channels) throw new Error(`${caller}: channel ${c} of layer '${layer}' is outside 0 … ${channels - 1}`);
    if (seen.has(c)) throw new Error(`${caller}: channel ${c} of layer '${layer}' is listed twice`);
    seen.add(c);
  }
  if (!allowEmpty && list.length === 0) throw new Error(`${caller}: no channels to remove from layer '${layer}' (the list is empty); the model would be unchanged`);
  if (!allowAll && list.length > channels - 1) {
    throw new Error(`${caller}: pruning all ${channels} channels of layer '${layer}' would cut the network; keep at least one`);
  }
  return list.sort((a, b) => a - b);
}

/** Throws unless `order` is a permutation of 0 … P-1. */
export function checkOrder(layer: string, order: ArrayLike<number>): void {
  const n = order.length;
  if (n === 0) throw new Error(`channel order for layer '${layer}' is empty`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = order[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= n || seen[c]) {
      throw new Error(`channel order for layer '${layer}' is not a permutation of 0 … ${n - 1} (entry ${i} is ${c})`);
    }
    seen[c] = 1;
  }
}
