import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { largestKWithin } from './chooseK';

// The lab run the site publishes: mean-activation sweep of conv2, K = 0 … 31.
const results = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../docs/public/lab/results.json'), 'utf8'),
) as {
  summary: { criterion: string; k: number[]; mean: number[] }[];
};
const { k, mean } = results.summary[0]!;
const points = k.slice(1).map((kk, i) => ({ k: kk, metric: mean[i + 1]! }));

describe('choosing K from a sweep', () => {
  it('takes the largest K before the first point below the budget, as the guide says', () => {
    const baseline = mean[0]!;
    for (const maxDrop of [0.005, 0.01, 0.02, 0.05]) {
      const chosen = largestKWithin(points, baseline, maxDrop);
      // Every K up to the chosen one is within budget, and the next one is not.
      for (const p of points.filter((p) => p.k <= chosen))
        expect(p.metric).toBeGreaterThanOrEqual(baseline - maxDrop);
      const next = points.find((p) => p.k === chosen + 1);
      if (next) expect(next.metric).toBeLessThan(baseline - maxDrop);
    }
    // The numbers the guide quotes.
    expect([0.01, 0.02, 0.05].map((d) => largestKWithin(points, baseline, d))).toEqual([
      10, 11, 15,
    ]);
  });
});
