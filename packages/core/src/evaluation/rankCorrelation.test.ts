import { describe, expect, it } from 'vitest';
import { fractionalRanks, spearmanCorrelation } from './rankCorrelation';

describe('spearmanCorrelation', () => {
  it('is 1 for the same ranking, -1 for the reverse, whatever the scale', () => {
    expect(spearmanCorrelation([1, 2, 3, 4], [10, 20, 300, 4000])).toBeCloseTo(1, 12);
    expect(spearmanCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('equals 1 - 6Σd²/(n(n²-1)) without ties (hand-computed)', () => {
    // ranks a: 1 2 3 4 5, ranks b: 2 1 4 3 5 → Σd² = 4 → 1 - 24/120 = 0.8
    expect(spearmanCorrelation([0.1, 0.2, 0.3, 0.4, 0.5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  });

  it('gives tied values their mean rank', () => {
    expect(Array.from(fractionalRanks([5, 1, 5, 3]))).toEqual([3.5, 1, 3.5, 2]);
    // Pearson of ranks [1, 2.5, 2.5, 4] and [1, 2, 3, 4]: Σdadb = 4.5, Σda² = 4.5, Σdb² = 5 → 4.5/√22.5
    expect(spearmanCorrelation([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
  });

  it('is NaN for a constant list and refuses lists of different channels', () => {
    expect(spearmanCorrelation([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => spearmanCorrelation([1, 2], [1, 2, 3])).toThrow(/have 2 and 3 values/);
    expect(() => spearmanCorrelation([1, Number.NaN], [1, 2])).toThrow(/first list's value 1 is NaN/);
  });
});
