import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from './evaluatePredictions';

describe('evaluatePredictions', () => {
  it('scores accuracy at p >= 0.5, mean BCE and AUC on a hand-computed example', () => {
    const p = [0.9, 0.5, 0.2, 0.6];
    const y = [1, 1, 0, 0];
    const e = evaluatePredictions(p, y);
    // 0.5 counts as "same" (right), 0.6 on a negative is wrong: 3/4.
    expect(e.accuracy).toBe(0.75);
    expect(e.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.5) + Math.log(0.8) + Math.log(0.4)) / 4, 12);
    // positives {0.9, 0.5} vs negatives {0.2, 0.6}: 0.9 beats both, 0.5 beats 0.2 only: 3/4.
    expect(e.auc).toBe(0.75);
    expect(e.count).toBe(4);
  });

  it('clips p so that a confident mistake gives a finite loss', () => {
    const e = evaluatePredictions([0, 1], [1, 0]);
    expect(e.loss).toBeCloseTo(-Math.log(1e-7), 6);
    expect(e.accuracy).toBe(0);
  });

  it('rejects mismatched or non-binary labels by index', () => {
    expect(() => evaluatePredictions([0.2], [1, 0])).toThrow(/1 probabilities but 2 labels/);
    expect(() => evaluatePredictions([0.2, 0.4], [1, 2])).toThrow(/labels\[1\] is 2/);
    expect(() => evaluatePredictions([], [])).toThrow(/no pairs/);
  });
});
