import { describe, expect, it } from 'vitest';
import { parseResults } from '@prune/report';
import { accuracyCsv } from './accuracyCsv.js';
import { sampleResults } from '../../../packages/report/src/test-utils/sampleResults.js';

describe('accuracyCsv', () => {
  it('has a row per K and mean, std and per-seed columns per criterion', () => {
    const results = parseResults(sampleResults({ seeds: [1, 2], criteria: ['mean', 'l1'] }), 'r.json');
    const lines = accuracyCsv(results).trim().split('\n');
    expect(lines[0]).toBe('k,accuracy_mean,std_mean,accuracy_mean_seed1,accuracy_mean_seed2,accuracy_l1,std_l1,accuracy_l1_seed1,accuracy_l1_seed2');
    expect(lines).toHaveLength(33);
    const row5 = lines[6]!.split(',').map(Number);
    const a = results.seedRuns[0]!.criteria[1]!.accuracy[5]!;
    const b = results.seedRuns[1]!.criteria[1]!.accuracy[5]!;
    expect(row5[0]).toBe(5);
    expect(row5[5]).toBeCloseTo((a + b) / 2, 6);
    expect(row5[6]).toBeCloseTo(Math.abs(a - b) / Math.sqrt(2), 6);
    expect(row5[7]).toBeCloseTo(a, 6);
  });
});
