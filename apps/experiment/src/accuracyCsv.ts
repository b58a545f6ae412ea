import type { Results } from '@prune/report';

/**
 * accuracy_vs_k.csv: one row per K (0 = unpruned) with, per criterion, the test pair accuracy (the mean over
 * seeds), its std over seeds, and each seed's value: `accuracy_<criterion>`, `std_<criterion>`,
 * `accuracy_<criterion>_seed<seed>`.
 */
export function accuracyCsv(results: Results): string {
  const header = ['k'];
  for (const s of results.summary) {
    header.push(`accuracy_${s.criterion}`, `std_${s.criterion}`);
    for (const run of results.seedRuns) header.push(`accuracy_${s.criterion}_seed${run.seed}`);
  }
  const lines = [header.join(',')];
  const ks = results.summary[0]?.k ?? [];
  ks.forEach((k, i) => {
    const row: string[] = [String(k)];
    for (const s of results.summary) {
      row.push((s.mean[i] as number).toFixed(6), (s.std[i] as number).toFixed(6));
      for (const run of results.seedRuns) {
        const cr = run.criteria.find((c) => c.criterion === s.criterion);
        row.push(cr ? (cr.accuracy[i] as number).toFixed(6) : '');
      }
    }
    lines.push(row.join(','));
  });
  return `${lines.join('\n')}\n`;
}
