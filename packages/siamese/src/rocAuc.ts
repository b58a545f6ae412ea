/**
 * Area under the ROC curve of `scores` for binary `labels` (1 = positive), as the Mann–Whitney statistic with tied
 * scores given their average rank (a tie between a positive and a negative counts one half). NaN without both classes.
 *
 * @param scores - one score per example, higher = more likely positive.
 * @param labels - 1 (positive) or 0 per example.
 *
 * @example
 * ```ts
 * import { rocAuc } from '@prune/siamese';
 *
 * console.log(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])); // 0.75
 * ```
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`rocAuc: scores[${i}] is NaN`);
  }
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end] as number] === scores[order[start] as number]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start+1 … end share their mean
    for (let k = start; k < end; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
