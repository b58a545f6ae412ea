import { describe, expect, it } from 'vitest';
import { allocateByTarget, allocateGlobally, normalizedScores, type AllocationGroup } from './allocate';

const group = (id: string, scores: number[], target: number, removed = 0): AllocationGroup => ({
  id,
  channels: scores.length + removed,
  scores: Float64Array.from(scores),
  removed,
  target,
});

describe('allocateByTarget', () => {
  it('removes floor(target · P) minus what is gone, keeps at least minChannels, rounds kept counts up', () => {
    const limits = { roundTo: 1, minChannels: 1 };
    // 30% of 10 → 3; of 4 → 1 (floor 1.2); of 2 → 0 (floor 0.6).
    const counts = allocateByTarget([group('a', Array(10).fill(1), 0.3), group('b', Array(4).fill(1), 0.3), group('c', [1, 1], 0.3)], limits);
    expect([...counts]).toEqual([['a', 3], ['b', 1], ['c', 0]]);
    // A second step to 60% of 10 channels, 3 already gone: 6 − 3 = 3 more.
    expect(allocateByTarget([group('a', Array(7).fill(1), 0.6, 3)], limits).get('a')).toBe(3);
    // minChannels 8 of 10: at most 2 go.
    expect(allocateByTarget([group('a', Array(10).fill(1), 0.5)], { roundTo: 1, minChannels: 8 }).get('a')).toBe(2);
    // roundTo 4: 30% of 10 would keep 7, rounded up to 8 → 2 removed; 50% of 16 keeps 8 → 8 removed.
    expect(allocateByTarget([group('a', Array(10).fill(1), 0.3), group('b', Array(16).fill(1), 0.5)], { roundTo: 4, minChannels: 1 })).toEqual(
      new Map([['a', 2], ['b', 8]]),
    );
  });
});

describe('allocateGlobally', () => {
  it('takes the weakest normalised scores across groups, within each group’s capacity', () => {
    // Means: a = 2, b = 20. Normalised: a → [0.25, 0.5, 1.25, 2], b → [0.05, 0.1, 2.85, 1] (b's first two are weakest).
    const a = group('a', [0.5, 1, 2.5, 4], 0);
    const b = group('b', [1, 2, 57, 20], 0);
    expect(Array.from(normalizedScores(b.scores, 'mean'))).toEqual([0.05, 0.1, 2.85, 1]);
    expect([...allocateGlobally([a, b], 3, { roundTo: 1, minChannels: 1 }, 'mean')]).toEqual([['a', 1], ['b', 2]]);
    // Without normalisation the raw scores decide: 0.5, 1 (a), 1 (b, after a on ties) → a 2, b 1.
    expect([...allocateGlobally([a, b], 3, { roundTo: 1, minChannels: 1 }, 'none')]).toEqual([['a', 2], ['b', 1]]);
    // Capacity: each keeps at least 3 of 4, so at most one each although 5 are asked for.
    expect([...allocateGlobally([a, b], 5, { roundTo: 1, minChannels: 3 }, 'mean')]).toEqual([['a', 1], ['b', 1]]);
    // max normaliser: a / 4, b / 57.
    expect(Array.from(normalizedScores(a.scores, 'max'))).toEqual([0.125, 0.25, 0.625, 1]);
  });
});
