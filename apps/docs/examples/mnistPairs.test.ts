import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { labPairs } from './mnistPairs';

describe('mnist-pairs guide example', () => {
  it('labPairs: 10% of train, 1000 balanced pairs whose labels match the digits, 16 batches, no leak', async () => {
    const tensors = tf.memory().numTensors;
    const { mnist, train, pairs, batches, positives } = await labPairs(1000, 42);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect(train.count).toBe(6000);
    expect(pairs.count).toBe(1000);
    expect(positives).toBe(500);
    expect(batches).toBe(Math.ceil(1000 / 64));
    for (let i = 0; i < pairs.count; i++) {
      const same = train.labels[pairs.left[i]!] === train.labels[pairs.right[i]!];
      expect(pairs.labels[i]).toBe(same ? 1 : 0);
      expect(pairs.left[i]).not.toBe(pairs.right[i]);
    }
    // The same seed gives the same pairs.
    const again = await labPairs(1000, 42);
    expect(again.pairs.left).toEqual(pairs.left);
    expect(again.pairs.right).toEqual(pairs.right);
  });
});
