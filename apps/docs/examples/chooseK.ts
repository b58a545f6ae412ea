import type { SweepPoint } from '@prune/core';

// #region largestK
/**
 * The largest K whose metric stays within `maxDrop` of the unpruned model's, from a
 * sweep (`sweepChannels(...).points`, or a run's results.json). The curve may come back
 * up past the budget (noise): the first K beyond it ends the search.
 */
export function largestKWithin(
  points: readonly SweepPoint[],
  baseline: number,
  maxDrop: number,
): number {
  let best = 0;
  for (const p of [...points].sort((a, b) => a.k - b.k)) {
    if (p.metric < baseline - maxDrop) break;
    best = p.k;
  }
  return best;
}
// #endregion largestK
