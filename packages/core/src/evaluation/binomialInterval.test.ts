import { describe, expect, it } from 'vitest';
import { accuracyIntervals, wilsonInterval } from './binomialInterval';

// Reference values: the roots p of (x/n - p)² = z² p(1 - p) / n, solved as a quadratic (another route to Wilson's interval).
describe('wilsonInterval', () => {
  it('matches the roots of the score equation', () => {
    const cases: Array<[number, number, number, number]> = [
      [1920, 2000, 0.9504928712535344, 0.9677433805539937],
      [5, 10, 0.23658959361548726, 0.7634104063845127],
      [0, 10, 0, 0.2775401687666165],
      [10, 10, 0.7224598312333835, 1],
    ];
    for (const [x, n, lower, upper] of cases) {
      const i = wilsonInterval(x, n);
      expect(i.lower).toBeCloseTo(lower, 12);
      expect(i.upper).toBeCloseTo(upper, 12);
    }
  });

  it('is about ±2 binomial standard errors at 0.96 on 2000 pairs (SE ≈ 0.0044)', () => {
    const { lower, upper } = wilsonInterval(1920, 2000);
    const se = Math.sqrt((0.96 * 0.04) / 2000);
    expect(se).toBeCloseTo(0.00438, 5);
    expect((upper - lower) / 2).toBeCloseTo(1.96 * se, 3);
  });

  it('maps accuracies measured on the same pairs', () => {
    const { lower, upper } = accuracyIntervals([0.96, 0.5], 2000);
    expect(lower[0]).toBeCloseTo(0.9504928712535344, 12);
    expect(upper[1]! - 0.5).toBeCloseTo(0.5 - lower[1]!, 12);
  });

  it('names the bad argument', () => {
    expect(() => wilsonInterval(3, 0)).toThrow(/count must be a positive integer, got 0/);
    expect(() => wilsonInterval(11, 10)).toThrow(/correct must be in 0 … 10, got 11/);
  });
});
