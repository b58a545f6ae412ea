import type { CriterionResult, CriterionSummary, SeedRun } from './resultsSchema.js';

/** What {@link summarizeSeeds} reads of a seed run: its seed and each curve's accuracy per K. */
export type SeedCurves = Pick<SeedRun, 'seed'> & {
  criteria: readonly Pick<CriterionResult, 'criterion' | 'rankedOn' | 'role' | 'accuracy'>[];
};

/**
 * A curve's legend name: the criterion, plus where it was ranked when that is not the run's calibration. The
 * summary, the charts and the viewer all name curves this way, so a label found in one matches the others.
 *
 * @param criterion - the criterion's name, e.g. `mean`.
 * @param rankedOn - the pairs the curve's channels were ranked on.
 * @param calibration - the run's own ranking split (`results.calibration.source`).
 * @returns The legend name.
 *
 * @example
 * ```ts
 * import { curveLabel } from '@prune/report';
 *
 * curveLabel('mean', 'test', 'test'); // 'mean'
 * curveLabel('mean', 'train', 'test'); // 'mean (ranked on held-out pairs)'
 * ```
 */
export function curveLabel(criterion: string, rankedOn: 'test' | 'train', calibration: 'test' | 'train'): string {
  if (rankedOn === calibration) return criterion;
  return `${criterion} (ranked on ${rankedOn === 'train' ? 'held-out' : 'test'} pairs)`;
}

/**
 * Mean and sample standard deviation over seeds of each curve's accuracy per K (std 0 with one seed); a curve is a
 * criterion and the pairs it was ranked on. This is how `results.summary` is made: call it when you assemble a
 * results object from your own seed runs. Curves appear in the order of the first seed run; every run must have
 * swept every curve over the same K, or it throws naming the seed and the curve.
 *
 * @param runs - the seed runs (`seed` and `criteria` of each).
 * @param calibration - the run's own ranking split; it names the curves ranked elsewhere ({@link curveLabel}).
 * @returns One summary per curve: `label`, `seeds`, and `mean` and `std` per K.
 *
 * @example
 * ```ts
 * import { summarizeSeeds } from '@prune/report';
 *
 * const curve = (seed: number, accuracy: number[]) => ({
 *   seed,
 *   criteria: [
 *     { criterion: 'mean', rankedOn: 'test', role: 'criterion', accuracy } as const,
 *   ],
 * });
 * const [mean] = summarizeSeeds([curve(1, [0.976, 0.958]), curve(2, [0.97, 0.95])], 'test');
 * console.log(mean!.mean, mean!.std); // ≈ [0.973, 0.954] and ≈ [0.0042, 0.0057]
 * ```
 */
export function summarizeSeeds(runs: readonly SeedCurves[], calibration: 'test' | 'train'): CriterionSummary[] {
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
