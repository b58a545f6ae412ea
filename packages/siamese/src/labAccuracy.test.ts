import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createSiameseModel } from './createSiameseModel';
import { evaluateSiamese } from './predictPairs';
import { labPairs } from './test-utils/labData';
import { trainSiamese } from './trainSiamese';

// The headline: the lab's whole training run on real MNIST. It takes minutes on wasm; it is the only long test.
describe("the lab's run", () => {
  it('reaches >= 0.96 test pair accuracy with the lab defaults (6000/1000 images, 10000/2000 pairs, batch 64, 10 epochs)', { timeout: 60 * 60_000 }, async () => {
    const seed = 1;
    const { train, test } = await labPairs(seed);
    expect([train.split.count, test.split.count, train.count, test.count]).toEqual([6000, 1000, 10000, 2000]);
    const model = createSiameseModel({ seed });
    const before = tf.memory().numTensors;
    const history = await trainSiamese(model, train, { epochs: 10, batchSize: 64, seed });
    expect(tf.memory().numTensors).toBe(before);
    expect(history.epochs.length).toBe(10);
    const evaluation = await evaluateSiamese(model, test);
    model.dispose();
    expect(evaluation.count).toBe(2000);
    expect(evaluation.accuracy).toBeGreaterThanOrEqual(0.96);
    expect(evaluation.auc).toBeGreaterThan(0.98);
  });
});
