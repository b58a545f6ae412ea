import { describe, expect, it } from 'vitest';
import { parseResults, summarizeSeeds } from '@prune/report';
import { accuracyCsv } from './accuracyCsv.js';
import { sampleResults } from '../../../packages/report/src/test-utils/sampleResults.js';

describe('accuracyCsv', () => {
  it('has a row per K and mean, std and per-seed columns (with their interval) per curve', () => {
    const results = parseResults(sampleResults({ seeds: [1, 2], criteria: ['mean', 'l1'] }), 'r.json');
    const lines = accuracyCsv(results).trim().split('\n');
    expect(lines[0]).toBe(
      'k,accuracy_mean,std_mean,accuracy_mean_seed1,lower95_mean_seed1,upper95_mean_seed1,accuracy_mean_seed2,lower95_mean_seed2,upper95_mean_seed2,' +
        'accuracy_l1,std_l1,accuracy_l1_seed1,lower95_l1_seed1,upper95_l1_seed1,accuracy_l1_seed2,lower95_l1_seed2,upper95_l1_seed2',
    );
    expect(lines).toHaveLength(33);
    const row5 = lines[6]!.split(',').map(Number);
    const a = results.seedRuns[0]!.criteria[1]!;
    const b = results.seedRuns[1]!.criteria[1]!.accuracy[5]!;
    expect(row5[0]).toBe(5);
    expect(row5[9]).toBeCloseTo((a.accuracy[5]! + b) / 2, 6);
    expect(row5[10]).toBeCloseTo(Math.abs(a.accuracy[5]! - b) / Math.sqrt(2), 6);
    expect(row5[11]).toBeCloseTo(a.accuracy[5]!, 6);
    expect(row5[12]).toBeCloseTo(a.interval.lower[5]!, 6);
  });

  it('adds the random control and the oracle, and names a curve ranked on the other split', () => {
    const input = sampleResults({ controls: true });
    const run = input.seedRuns[0]!;
    run.criteria.push({ ...run.criteria[0]!, rankedOn: 'train', role: 'comparison', accuracy: run.criteria[0]!.accuracy.map((a) => a - 0.01) });
    const parsed = parseResults(input, 'r.json');
    const results = { ...parsed, summary: summarizeSeeds(parsed.seedRuns, 'test') };
    const lines = accuracyCsv(results).trim().split('\n');
    expect(lines[0]).toContain('accuracy_mean_ranked_train');
    expect(lines[0]!.endsWith('accuracy_random_mean,accuracy_random_min,accuracy_random_max,accuracy_greedy_oracle')).toBe(true);
    const cells = lines[11]!.split(',').map(Number);
    const random = run.controls!.random!.accuracy.map((c) => c[10]!);
    expect(cells.at(-3)).toBeCloseTo(Math.min(...random), 6);
    expect(cells.at(-1)).toBeCloseTo(run.controls!.oracle!.accuracy[10]!, 6);
  });
});
