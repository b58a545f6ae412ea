import type { CriterionSummary, SeedRun } from './resultsSchema.js';

/** A curve's legend name: the criterion, plus where it was ranked when that is not the run's calibration. */
export function curveLabel(criterion: string, rankedOn: 'test' | 'train', calibration: 'test' | 'train'): string {
  if (rankedOn === calibration) return criterion;
  return `${criterion} (ranked on ${rankedOn === 'train' ? 'held-out' : 'test'} pairs)`;
}

/**
 * Mean and sample standard deviation over seeds of each curve's accuracy per K (std 0 with one seed); a curve is a
 * criterion and the pairs it was ranked on. Curves appear in the order of the first seed run; every run must have
 * swept every curve over the same K. `calibration` is the run's own ranking split (it names the other curves).
 */
export function summarizeSeeds(runs: readonly Pick<SeedRun, 'seed' | 'criteria'>[], calibration: 'test' | 'train'): CriterionSummary[] {
  const first = runs[0];
  if (!first) throw new Error('summarizeSeeds: no seed runs');
  return first.criteria.map(({ criterion, rankedOn, role, accuracy }) => {
    const label = curveLabel(criterion, rankedOn, calibration);
    const curves = runs.map((run) => {
      const found = run.criteria.find((c) => c.criterion === criterion && c.rankedOn === rankedOn);
      if (!found) throw new Error(`summarizeSeeds: seed ${run.seed} has no results for curve '${label}'`);
      if (found.accuracy.length !== accuracy.length) {
        throw new Error(`summarizeSeeds: seed ${run.seed}, curve '${label}' has ${found.accuracy.length} K values, expected ${accuracy.length}`);
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
    return { criterion, rankedOn, role, label, seeds: n, k, mean, std };
  });
}
