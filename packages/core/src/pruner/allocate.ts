/** One group as the allocation sees it: its size, its scores, and the bounds on how many channels it may lose. */
export interface AllocationGroup {
  id: string;
  channels: number;
  /** One score per channel, higher = more important. */
  scores: Float64Array;
  /** Channels already removed in earlier steps of an iterative prune (0 in a one-step prune). */
  removed: number;
  /** The fraction of its original channels this group should have lost by the end of this step (uniform or per layer). */
  target: number;
}

/** Rounding and bounds shared by every strategy. */
export interface AllocationLimits {
  /** Kept channel counts are rounded up to a multiple of this (never pruning more than asked). */
  roundTo: number;
  /** Channels each group keeps at least. */
  minChannels: number;
}

/** How many channels a group may still lose: it keeps at least `minChannels` (and one) of its current channels. */
function capacity(group: AllocationGroup, limits: AllocationLimits): number {
  const current = group.channels - group.removed;
  return Math.max(0, current - Math.max(1, limits.minChannels));
}

/** The largest count ≤ `wanted` whose kept channel count (current − count) is a multiple of `roundTo` (or all kept). */
function roundCount(current: number, wanted: number, roundTo: number): number {
  if (roundTo <= 1) return wanted;
  const kept = Math.ceil((current - wanted) / roundTo) * roundTo;
  return Math.max(0, current - Math.min(current, kept));
}

/** Channels to remove from each group in this step for a per-group target (uniform or per-layer ratio): floor(target · P) in all, minus what is gone. */
export function allocateByTarget(groups: readonly AllocationGroup[], limits: AllocationLimits): Map<string, number> {
  const counts = new Map<string, number>();
  for (const g of groups) {
    const wanted = Math.min(capacity(g, limits), Math.max(0, Math.floor(g.target * g.channels + 1e-9) - g.removed));
    counts.set(g.id, roundCount(g.channels - g.removed, wanted, limits.roundTo));
  }
  return counts;
}

/** Each group's scores divided by their mean |score| (Torch-Pruning's 'mean' normaliser), so groups compare. */
export function normalizedScores(scores: Float64Array, normalize: 'mean' | 'max' | 'none'): Float64Array {
  if (normalize === 'none') return scores;
  let scale = 0;
  for (const s of scores) scale = normalize === 'mean' ? scale + Math.abs(s) / scores.length : Math.max(scale, Math.abs(s));
  return scale > 0 ? scores.map((s) => s / scale) : scores.map(() => 0);
}

/**
 * Channels to remove from each group in this step by one global ranking: the `total` weakest channels across the
 * groups by normalised score, within each group's capacity; then each count is rounded as the limits say.
 */
export function allocateGlobally(
  groups: readonly AllocationGroup[],
  total: number,
  limits: AllocationLimits,
  normalize: 'mean' | 'max' | 'none',
): Map<string, number> {
  const pool = groups.flatMap((g, gi) => Array.from(normalizedScores(g.scores, normalize), (score) => ({ gi, score })));
  // Ascending score; ties by group order, so the ranking is deterministic.
  pool.sort((a, b) => a.score - b.score || a.gi - b.gi);
  const taken = groups.map(() => 0);
  let left = total;
  for (const { gi } of pool) {
    if (left <= 0) break;
    if (taken[gi]! < capacity(groups[gi]!, limits)) {
      taken[gi]! += 1;
      left -= 1;
    }
  }
  return new Map(groups.map((g, gi) => [g.id, roundCount(g.channels - g.removed, taken[gi]!, limits.roundTo)]));
}
