import type { CriterionSummary, SeedRun } from './resultsSchema.js';

/**
 * Mean and sample standard deviation over seeds of each criterion's accuracy per K (std 0 with one seed).
 * Criteria appear in the order of the first seed run; every run must have swept every criterion over the same K.
 */
export function summarizeSeeds(runs: readonly Pick<SeedRun, 'seed' | 'criteria'>[]): CriterionSummary[] {
  const first = runs[0];
  if (!first) throw new Error('summarizeSeeds: no seed runs');
  return first.criteria.map(({ criterion, accuracy }) => {
    const curves = runs.map((run) => {
      const found = run.criteria.find((c) => c.criterion === criterion);
      if (!found) throw new Error(`summarizeSeeds: seed ${run.seed} has no results for criterion '${criterion}'`);
      if (found.accuracy.length !== accuracy.length) {
        throw new Error(`summarizeSeeds: seed ${run.seed}, criterion '${criterion}' has ${found.accuracy.length} K values, expected ${accuracy.length}`);
      }
      return found.accuracy;
    });
    const n = curves.length;
    const k = accuracy.map((_, i) => i);
    const mean = k.map((i) => curves.reduce((sum, c) => sum + (c[i] as number), 0) / n);
    const std = k.map((i) => {
      if (n < 2) return 0;
      const m = mean[i] as number;
      return Math.sqrt(curves.reduce((sum, c) => sum + ((c[i] as number) - m) ** 2, 0) / (n - 1));
    });
    return { criterion, seeds: n, k, mean, std };
  });
}
