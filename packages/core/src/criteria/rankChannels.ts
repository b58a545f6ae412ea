/**
 * The channel order from least to most important: channel indices sorted by ascending score, ties kept in
 * channel order (stable), so the first K entries are the K channels to prune. NaN scores are an error.
 *
 * @param scores - one score per channel (from `scoreChannels` or your own).
 * @returns Channel indices, least important first.
 *
 * @example
 * ```ts
 * import { rankChannels } from '@prune/core';
 *
 * console.log(rankChannels([0.5, 0.1, 0.9, 0.1])); // Int32Array [1, 3, 0, 2]
 * ```
 */
export function rankChannels(scores: ArrayLike<number>): Int32Array {
  const n = scores.length;
  for (let c = 0; c < n; c++) {
    const s = scores[c]!;
    if (Number.isNaN(s)) throw new Error(`rankChannels: the score of channel ${c} is NaN`);
  }
  const order = Array.from({ length: n }, (_, c) => c);
  // Array.prototype.sort is stable (ES2019), so equal scores keep ascending channel order.
  order.sort((a, b) => scores[a]! - scores[b]! || a - b);
  return Int32Array.from(order);
}
