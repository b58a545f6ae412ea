import * as tf from '@tensorflow/tfjs-core';
import { pairImages } from '@prune/mnist-pairs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSiameseModel } from './createSiameseModel';
import { evaluatePredictions } from './evaluatePredictions';
import { evaluateSiamese, predictPairs } from './predictPairs';
import { syntheticPairs } from './test-utils/syntheticSplit';

const pairs = syntheticPairs(60, 90, 21);
const model = createSiameseModel({ seed: 4 });
afterAll(() => model.dispose());

describe('predictPairs and evaluateSiamese', () => {
  it('give the model’s probabilities in pair order, whatever the batch size', async () => {
    const { left, right } = pairImages(pairs);
    const x1 = tf.tensor4d(left, [pairs.count, 28, 28, 1]);
    const x2 = tf.tensor4d(right, [pairs.count, 28, 28, 1]);
    const direct = model.predict([x1, x2]) as tf.Tensor;
    const expected = direct.dataSync();
    tf.dispose([x1, x2, direct]);
    const before = tf.memory().numTensors;
    const p256 = await predictPairs(model, pairs);
    const p7 = await predictPairs(model, pairs, { batchSize: 7 });
    expect(tf.memory().numTensors).toBe(before);
    expect(p256.length).toBe(pairs.count);
    for (let i = 0; i < pairs.count; i++) {
      expect(p256[i]).toBeCloseTo(expected[i] as number, 6);
      expect(p7[i]).toBeCloseTo(expected[i] as number, 6);
    }
  });

  it('evaluate the predictions against the pair labels', async () => {
    const e = await evaluateSiamese(model, pairs, { batchSize: 32 });
    expect(e).toEqual(evaluatePredictions(await predictPairs(model, pairs, { batchSize: 32 }), pairs.labels));
    expect(e.count).toBe(90);
  });

  it('reject a bad batch size', async () => {
    await expect(predictPairs(model, pairs, { batchSize: 0 })).rejects.toThrow(/options\.batchSize/);
  });
});
