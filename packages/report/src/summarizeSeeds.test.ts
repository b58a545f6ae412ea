import { describe, expect, it } from 'vitest';
import { summarizeSeeds } from './summarizeSeeds.js';

const run = (seed: number, curves: Record<string, number[]>) => ({
  seed,
  criteria: Object.entries(curves).map(([key, accuracy]) => {
    const [criterion, rankedOn = 'test'] = key.split('@') as [string, 'test' | 'train'];
    return { criterion, rankedOn, role: 'criterion' as const, scores: [], order: [], accuracy, interval: { level: 0.95, method: 'wilson', lower: [], upper: [] }, fineTune: [] };
  }),
});

describe('summarizeSeeds', () => {
  it('gives mean and sample std per K, by hand', () => {
    const [s] = summarizeSeeds([run(1, { mean: [0.9, 0.8] }), run(2, { mean: [0.7, 0.8] }), run(3, { mean: [0.8, 0.5] })], 'test');
    expect(s!.k).toEqual([0, 1]);
    expect(s!.mean[0]).toBeCloseTo(0.8, 12);
    expect(s!.mean[1]).toBeCloseTo(0.7, 12);
    expect(s!.std[0]).toBeCloseTo(0.1, 12); // deviations ±0.1, 0 → sqrt(0.02/2)
    expect(s!.std[1]).toBeCloseTo(Math.sqrt((0.01 + 0.01 + 0.04) / 2), 12);
    expect(s!.seeds).toBe(3);
  });

  it('gives std 0 with one seed and keeps criterion order', () => {
    const out = summarizeSeeds([run(1, { mean: [0.9], l1: [0.8], 'mean@train': [0.7] })], 'test');
    expect(out.map((s) => [s.label, s.std[0]])).toEqual([['mean', 0], ['l1', 0], ['mean (ranked on held-out pairs)', 0]]);
    expect(out[2]!.mean).toEqual([0.7]);
  });

  it('refuses mismatched runs with a clear error', () => {
    expect(() => summarizeSeeds([run(1, { mean: [0.9] }), run(2, { l1: [0.9] })], 'test')).toThrow("seed 2 has no results for curve 'mean'");
    expect(() => summarizeSeeds([], 'test')).toThrow('no seed runs');
  });
});
