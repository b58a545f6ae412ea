import { describe, expect, it } from 'vitest';
import { IMAGE_PIXELS } from './constants';
import { subsetSplit } from './subsetSplit';
import type { MnistSplit } from './types';

function syntheticSplit(count: number): MnistSplit {
  const images = new Float32Array(count * IMAGE_PIXELS);
  for (let i = 0; i < count; i++) images.fill(i, i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
  const labels = new Uint8Array(count).map((_, i) => i % 10);
  return { images, labels, count };
}

describe('subsetSplit', () => {
  const split = syntheticSplit(1000);

  it('takes floor(count × fraction) distinct images with their labels and source indices', () => {
    const sub = subsetSplit(split, 0.1, 1);
    expect(sub.count).toBe(100);
    expect(sub.images.length).toBe(100 * IMAGE_PIXELS);
    const src = sub.sourceIndices!;
    expect(new Set(src).size).toBe(100);
    for (let i = 0; i < sub.count; i++) {
      expect(sub.labels[i]).toBe(src[i]! % 10);
      expect(sub.images[i * IMAGE_PIXELS]).toBe(src[i]);
      expect(sub.images[(i + 1) * IMAGE_PIXELS - 1]).toBe(src[i]);
    }
    expect(subsetSplit(split, 0.0505, 1).count).toBe(50);
  });

  it('is deterministic for a seed, differs for another, and composes source indices', () => {
    const a = subsetSplit(split, 0.1, 7).sourceIndices!;
    expect(Array.from(subsetSplit(split, 0.1, 7).sourceIndices!)).toEqual(Array.from(a));
    const b = subsetSplit(split, 0.1, 8).sourceIndices!;
    expect(Array.from(b)).not.toEqual(Array.from(a));
    const sub = subsetSplit(split, 0.5, 3);
    const subsub = subsetSplit(sub, 0.5, 4);
    for (let i = 0; i < subsub.count; i++) expect(subsub.images[i * IMAGE_PIXELS]).toBe(subsub.sourceIndices![i]);
  });

  it('samples uniformly: every image is about equally likely', () => {
    const hits = new Int32Array(1000);
    for (let seed = 0; seed < 200; seed++) for (const i of subsetSplit(split, 0.1, seed).sourceIndices!) hits[i]!++;
    // Each image is picked with probability 0.1 per draw: mean 20 over 200 seeds; the first and last too.
    const mean = hits.reduce((s, v) => s + v, 0) / 1000;
    expect(mean).toBe(20);
    expect(Math.max(...hits)).toBeLessThan(45);
    expect(hits[0]! + hits[999]!).toBeGreaterThan(0);
  });

  it('rejects fractions outside (0, 1] and non-integer seeds', () => {
    expect(() => subsetSplit(split, 0, 1)).toThrow(/fraction must be in \(0, 1\]/);
    expect(() => subsetSplit(split, 1.5, 1)).toThrow(/fraction/);
    expect(() => subsetSplit(split, 0.0001, 1)).toThrow(/selects none/);
    expect(() => subsetSplit(split, 0.1, 0.5)).toThrow(/seed must be a safe integer/);
  });
});
