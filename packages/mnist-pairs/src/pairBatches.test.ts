import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_PIXELS } from './constants';
import { loadMnist } from './node/loadMnist';
import { makePairs } from './makePairs';
import { pairBatches } from './pairBatches';
import { pairImages } from './pairImages';
import { subsetSplit } from './subsetSplit';
import type { PairSet } from './types';

let pairs: PairSet;
beforeAll(async () => {
  const mnist = await loadMnist();
  pairs = makePairs(subsetSplit(mnist.test, 0.1, 2), 2000, 11);
});

describe('pairBatches', () => {
  it('yields [B,28,28,1] × 2 and labels [B] holding the pairs in order, and leaks no tensor', () => {
    const before = memory().numTensors;
    let seen = 0;
    let batches = 0;
    for (const batch of pairBatches(pairs, { batchSize: 64 })) {
      expect(batch.start).toBe(seen);
      expect(batch.left.shape).toEqual([batch.size, 28, 28, 1]);
      expect(batch.right.shape).toEqual([batch.size, 28, 28, 1]);
      expect(batch.labels.shape).toEqual([batch.size]);
      expect(batch.labels.dtype).toBe('float32');
      const left = batch.left.dataSync();
      const right = batch.right.dataSync();
      const labels = batch.labels.dataSync();
      for (let i = 0; i < batch.size; i++) {
        const p = seen + i;
        const l = pairs.left[p]! * IMAGE_PIXELS;
        const r = pairs.right[p]! * IMAGE_PIXELS;
        expect(labels[i]).toBe(pairs.labels[p]);
        // Spot-check a few pixels of each image against the split.
        for (const k of [0, 300, 406, 783]) {
          expect(left[i * IMAGE_PIXELS + k]).toBe(pairs.split.images[l + k]);
          expect(right[i * IMAGE_PIXELS + k]).toBe(pairs.split.images[r + k]);
        }
      }
      seen += batch.size;
      batches++;
      batch.left.dispose();
      batch.right.dispose();
      batch.labels.dispose();
    }
    expect(seen).toBe(2000);
    expect(batches).toBe(Math.ceil(2000 / 64)); // the last batch holds 2000 − 31·64 = 16 pairs
    expect(memory().numTensors).toBe(before);
  });

  it('creates no tensor for batches never requested, and drops a short last batch on request', () => {
    const before = memory().numTensors;
    const it = pairBatches(pairs, { batchSize: 500 });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(memory().numTensors).toBe(before + 3);
    if (!first.done) for (const t of [first.value.left, first.value.right, first.value.labels]) t.dispose();
    it.return(undefined);
    expect(memory().numTensors).toBe(before);
    const sizes = Array.from(pairBatches(pairs, { batchSize: 600, dropLast: true }), (b) => {
      b.left.dispose();
      b.right.dispose();
      b.labels.dispose();
      return b.size;
    });
    expect(sizes).toEqual([600, 600, 600]);
    expect(memory().numTensors).toBe(before);
  });

  it('shuffles every pair exactly once, deterministically for a seed', () => {
    const labelsOf = (seed: number): number[] => {
      const out: number[] = [];
      for (const b of pairBatches(pairs, { batchSize: 128, shuffle: true, seed })) {
        out.push(...b.labels.dataSync());
        b.left.dispose();
        b.right.dispose();
        b.labels.dispose();
      }
      return out;
    };
    const a = labelsOf(1);
    expect(labelsOf(1)).toEqual(a);
    expect(labelsOf(2)).not.toEqual(a);
    expect(a.reduce((s, v) => s + v, 0)).toBe(1000);
    // Shuffled order matches pairImages gathered in the same permuted order.
    const first = pairBatches(pairs, { batchSize: 4, shuffle: true, seed: 1 }).next();
    if (first.done) throw new Error('no batch');
    const gathered = first.value.left.dataSync();
    first.value.left.dispose();
    first.value.right.dispose();
    first.value.labels.dispose();
    const unshuffled = pairImages(pairs, 0, 4).left;
    expect(Array.from(gathered)).not.toEqual(Array.from(unshuffled));
  });

  it('rejects a bad batch size and a range outside the pairs', () => {
    expect(() => pairBatches(pairs, { batchSize: 0 }).next()).toThrow(/batchSize/);
    expect(() => pairImages(pairs, 10, 2001)).toThrow(/not within the 2000 pairs/);
  });
});
