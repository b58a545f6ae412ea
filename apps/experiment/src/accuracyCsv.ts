import { controlRows, type Results } from '@prune/report';

/** A curve's column key: its criterion, and `_ranked_<split>` when it was ranked on the other split than the run. */
function curveKey(criterion: string, rankedOn: string, calibration: string): string {
  return rankedOn === calibration ? criterion : `${criterion}_ranked_${rankedOn}`;
}

/**
 * accuracy_vs_k.csv: one row per K (0 = unpruned) with, per curve, the test pair accuracy (the mean over seeds),
 * its std over seeds, and each seed's value with its 95% Wilson interval over the test pairs: `accuracy_<curve>`,
 * `std_<curve>`, `accuracy_<curve>_seed<seed>`, `lower95_…`, `upper95_…`; then the random control (mean, min, max over
 * its orders and seeds) and the greedy oracle (mean over seeds) when the run has them.
 */
export function accuracyCsv(results: Results): string {
  const calibration = results.calibration.source;
  const header = ['k'];
  for (const s of results.summary) {
    const key = curveKey(s.criterion, s.rankedOn, calibration);
    header.push(`accuracy_${key}`, `std_${key}`);
    for (const run of results.seedRuns) header.push(`accuracy_${key}_seed${run.seed}`, `lower95_${key}_seed${run.seed}`, `upper95_${key}_seed${run.seed}`);
  }
  const controls = controlRows(results);
  const random = controls.filter((r) => r.series.startsWith('random'));
  const oracle = controls.filter((r) => !r.series.startsWith('random'));
  if (random.length) header.push('accuracy_random_mean', 'accuracy_random_min', 'accuracy_random_max');
  if (oracle.length) header.push('accuracy_greedy_oracle');
  const lines = [header.join(',')];
  const ks = results.summary[0]?.k ?? [];
  ks.forEach((k, i) => {
    const row: string[] = [String(k)];
    for (const s of results.summary) {
      row.push((s.mean[i] as number).toFixed(6), (s.std[i] as number).toFixed(6));
      for (const run of results.seedRuns) {
        const cr = run.criteria.find((c) => c.criterion === s.criterion && c.rankedOn === s.rankedOn);
        row.push(...(cr ? [cr.accuracy[i], cr.interval.lower[i], cr.interval.upper[i]].map((v) => (v as number).toFixed(6)) : ['', '', '']));
      }
    }
    const r = random[i];
    if (random.length) row.push(...(r ? [r.mean, r.lo, r.hi].map((v) => v.toFixed(6)) : ['', '', '']));
    if (oracle.length) row.push(oracle[i] ? oracle[i].mean.toFixed(6) : '');
    lines.push(row.join(','));
  });
  return `${lines.join('\n')}\n`;
}
