import { describe, expect, it } from 'vitest';
import { rankChannels } from './rankChannels';

describe('rankChannels', () => {
  it('orders channels by ascending score', () => {
    expect(Array.from(rankChannels([0.5, -1, 3, 0.25]))).toEqual([1, 3, 0, 2]);
  });
  it('keeps ties in channel order (stable)', () => {
    expect(Array.from(rankChannels([2, 1, 2, 1, 0, 2]))).toEqual([4, 1, 3, 0, 2, 5]);
    expect(Array.from(rankChannels(new Float64Array(5)))).toEqual([0, 1, 2, 3, 4]);
  });
  it('handles infinities and rejects NaN naming the channel', () => {
    expect(Array.from(rankChannels([Infinity, -Infinity, 0]))).toEqual([1, 2, 0]);
    expect(() => rankChannels([1, NaN, 2])).toThrow(/channel 1 is NaN/);
  });
});
