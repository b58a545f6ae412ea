import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from './node/loadMnist';
import { makePairs } from './makePairs';
import { subsetSplit } from './subsetSplit';
import type { MnistSplit } from './types';

let train: MnistSplit;
let test: MnistSplit;
beforeAll(async () => {
  const mnist = await loadMnist();
  train = subsetSplit(mnist.train, 0.1, 1);
  test = subsetSplit(mnist.test, 0.1, 2);
});

describe('makePairs on the lab subsets', () => {
  it('makes 10000 train and 2000 test pairs, balanced 1:1, alternating positive then negative', () => {
    expect(train.count).toBe(6000);
    expect(test.count).toBe(1000);
    for (const [split, n] of [[train, 10000], [test, 2000]] as const) {
      const pairs = makePairs(split, n, 7);
      expect(pairs.count).toBe(n);
      expect(pairs.left.length).toBe(n);
      let positives = 0;
      for (let i = 0; i < n; i++) {
        positives += pairs.labels[i]!;
        expect(pairs.labels[i]).toBe(i % 2 === 0 ? 1 : 0);
      }
      expect(positives).toBe(n / 2);
    }
  });

  it('labels every positive pair with a shared digit and every negative pair with different digits', () => {
    const pairs = makePairs(train, 10000, 3);
    let wrong = 0;
    let selfPairs = 0;
    for (let i = 0; i < pairs.count; i++) {
      const a = pairs.left[i]!;
      const b = pairs.right[i]!;
      const same = train.labels[a] === train.labels[b];
      if (same !== (pairs.labels[i] === 1)) wrong++;
      if (a === b) selfPairs++;
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(train.count);
    }
    expect(wrong).toBe(0);
    expect(selfPairs).toBe(0); // positive pairs use two distinct images
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const a = makePairs(test, 2000, 42);
    const b = makePairs(test, 2000, 42);
    const c = makePairs(test, 2000, 43);
    expect(Array.from(b.left)).toEqual(Array.from(a.left));
    expect(Array.from(b.right)).toEqual(Array.from(a.right));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    let differing = 0;
    for (let i = 0; i < a.count; i++) if (a.left[i] !== c.left[i] || a.right[i] !== c.right[i]) differing++;
    expect(differing).toBeGreaterThan(1900);
  });

  it('draws digits and images roughly uniformly', () => {
    const pairs = makePairs(train, 10000, 5);
    const positiveDigits = new Int32Array(10);
    for (let i = 0; i < pairs.count; i += 2) positiveDigits[train.labels[pairs.left[i]!]!]!++;
    // 5000 positives over 10 digits: each ~500, binomial std ≈ 21.
    for (const c of positiveDigits) expect(Math.abs(c - 500)).toBeLessThan(110);
  });

  it('rejects a split with a single digit and a bad numPairs', () => {
    const ones: MnistSplit = { images: new Float32Array(3 * 784), labels: new Uint8Array([1, 1, 1]), count: 3 };
    expect(() => makePairs(ones, 10, 0)).toThrow(/1 distinct digit/);
    expect(() => makePairs(train, 1.5, 0)).toThrow(/numPairs/);
  });

  it('skips an iteration whose digit has fewer than two images, staying balanced', () => {
    const split: MnistSplit = { images: new Float32Array(4 * 784), labels: new Uint8Array([0, 0, 0, 1]), count: 4 };
    const pairs = makePairs(split, 200, 9);
    expect(pairs.count).toBeLessThan(200);
    expect(pairs.count % 2).toBe(0);
    for (let i = 0; i < pairs.count; i += 2) {
      expect(pairs.labels[i]).toBe(1);
      expect(split.labels[pairs.left[i]!]).toBe(0);
      expect(pairs.labels[i + 1]).toBe(0);
    }
  });
});
