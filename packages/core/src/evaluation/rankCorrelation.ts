/**
 * Ranks 1 … n of `values` (ascending), ties given the mean of the ranks they span.
 *
 * @param values - the values to rank.
 * @returns Each value's rank, in the values' order.
 *
 * @example
 * ```ts
 * import { fractionalRanks } from '@prune/core';
 *
 * fractionalRanks([0.3, 0.1, 0.3]); // Float64Array [2.5, 1, 2.5]
 * ```
 */
export function fractionalRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!]! === values[order[i]!]!) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]!] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation of two score lists over the same channels: the Pearson correlation of their
 * fractional ranks, in [-1, 1] (1 = the same ranking). NaN when either list is constant.
 *
 * @param a - one score per channel.
 * @param b - another score per channel, the same channels in the same order.
 * @returns The correlation.
 *
 * @example
 * ```ts
 * import { spearmanCorrelation } from '@prune/core';
 *
 * spearmanCorrelation([1, 2, 3, 4], [10, 20, 40, 30]); // 0.8
 * ```
 */
export function spearmanCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`spearmanCorrelation: the lists have ${a.length} and ${b.length} values; they must score the same channels`);
  if (a.length < 2) throw new Error(`spearmanCorrelation: needs at least 2 values, got ${a.length}`);
  for (const [name, list] of [['first', a], ['second', b]] as const) {
    for (let i = 0; i < list.length; i++) if (!Number.isFinite(list[i]!)) throw new Error(`spearmanCorrelation: the ${name} list's value ${i} is ${list[i]}; scores must be finite`);
  }
  const ra = fractionalRanks(a);
  const rb = fractionalRanks(b);
  const mean = (a.length + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    const da = ra[i]! - mean;
    const db = rb[i]! - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? Number.NaN : sab / Math.sqrt(saa * sbb);
}
