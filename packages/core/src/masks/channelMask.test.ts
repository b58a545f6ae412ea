import { describe, expect, it } from 'vitest';
import { maskChannels, maskWeakest } from './channelMask';

describe('maskWeakest', () => {
  it('prunes the first K channels of the order, listed ascending', () => {
    const order = [3, 0, 2, 1];
    expect(maskWeakest('conv2', order, 0)).toEqual({ layer: 'conv2', channels: 4, pruned: [] });
    expect(maskWeakest('conv2', order, 2)).toEqual({ layer: 'conv2', channels: 4, pruned: [0, 3] });
    expect(maskWeakest('conv2', order, 3).pruned).toEqual([0, 2, 3]);
  });
  it('rejects K outside 0 … P-1 and orders that are not permutations', () => {
    expect(() => maskWeakest('conv2', [1, 0, 2], 3)).toThrow(/K = 3 for layer 'conv2' is outside 0 … 2/);
    expect(() => maskWeakest('conv2', [1, 0, 2], -1)).toThrow(/K = -1/);
    expect(() => maskWeakest('conv2', [1, 0, 2], 1.5)).toThrow(/K = 1.5/);
    expect(() => maskWeakest('conv2', [1, 1, 2], 1)).toThrow(/not a permutation/);
  });
});

describe('maskChannels', () => {
  it('sorts the channels and rejects bad ones', () => {
    expect(maskChannels('d', 5, [4, 1]).pruned).toEqual([1, 4]);
    expect(() => maskChannels('d', 5, [5])).toThrow(/channel 5 of layer 'd' is outside 0 … 4/);
    expect(() => maskChannels('d', 5, [1, 1])).toThrow(/listed twice/);
    expect(() => maskChannels('d', 2, [0, 1])).toThrow(/would cut the network/);
  });
});
