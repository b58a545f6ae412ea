import { describe, expect, it } from 'vitest';
import { latencyKs } from './measureCosts';

describe('latencyKs', () => {
  it('times every 4th K, the last, and the K asked for (the headline), within 0 … C-1', () => {
    expect([...latencyKs(10)].sort((a, b) => a - b)).toEqual([0, 4, 8, 9]);
    expect([...latencyKs(32, [5])].sort((a, b) => a - b)).toEqual([0, 4, 5, 8, 12, 16, 20, 24, 28, 31]);
    expect([...latencyKs(10, [-1, 10, 4])].sort((a, b) => a - b)).toEqual([0, 4, 8, 9]);
  });
});
