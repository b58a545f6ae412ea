import type { ImportanceCriterion } from './importance';

/**
 * A criterion that serves scores computed before (e.g. a `planPruning` plan's `groups[i].scores`, keyed by group
 * id), so pruning the same model at many ratios ranks channels the same way without running the criterion again.
 * A group it has no scores for is an error naming it.
 *
 * @param name - the name the criterion reports.
 * @param scores - per group id, one score per channel.
 *
 * @example
 * ```ts
 * import { planPruning, precomputedImportance, pruneModel } from '@prune/core';
 *
 * const plan = await planPruning(model, { ratio: 0.1, criterion: 'taylor', data });
 * const scores = new Map(plan.groups.map((g) => [g.group, g.scores]));
 * const criterion = precomputedImportance('taylor', scores); // no second Taylor pass
 * const { model: pruned } = await pruneModel(model, { ratio: 0.4, criterion });
 * ```
 */
export function precomputedImportance(name: string, scores: ReadonlyMap<string, ArrayLike<number>>): ImportanceCriterion {
  return {
    name,
    requires: [],
    score: ({ group }) => {
      const s = scores.get(group.id);
      if (s === undefined) throw new Error(`precomputedImportance '${name}': no scores for group '${group.id}' (scores are for ${[...scores.keys()].map((k) => `'${k}'`).join(', ')})`);
      return s;
    },
  };
}
