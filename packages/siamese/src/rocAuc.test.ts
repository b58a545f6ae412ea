import { describe, expect, it } from 'vitest';
import { rocAuc } from './rocAuc';

/** Pairwise definition: P(score of a positive > score of a negative) + ½ P(equal). */
function bruteForceAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      const si = scores[i] as number;
      const sj = scores[j] as number;
      wins += si > sj ? 1 : si === sj ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('rocAuc', () => {
  it('matches hand-computed values', () => {
    // 4 positive-negative pairs; 0.35 (pos) loses to 0.4 (neg): 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    // Ties: the positive at 0.5 ties both negatives (½ + ½), the one at 0.9 beats both (1 + 1): 3/4.
    expect(rocAuc([0.5, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toBe(0.75);
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0])).toBe(0.5);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('equals the pairwise definition on data with many ties', () => {
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const scores = Array.from({ length: 301 }, () => Math.round(next() * 10) / 10);
    const labels = scores.map((s) => (next() < 0.3 + 0.5 * s ? 1 : 0));
    expect(rocAuc(scores, labels)).toBeCloseTo(bruteForceAuc(scores, labels), 12);
    expect(rocAuc(Float32Array.from(scores), Uint8Array.from(labels))).toBeCloseTo(bruteForceAuc(Array.from(Float32Array.from(scores)), labels), 12);
  });

  it('is NaN with one class and rejects bad input', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(() => rocAuc([0.1, 0.2], [1])).toThrow(/2 scores but 1 labels/);
    expect(() => rocAuc([0.1, Number.NaN], [1, 0])).toThrow(/scores\[1\] is NaN/);
  });
});
