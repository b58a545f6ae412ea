import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { makePairs, pairBatches, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel, predictPairs } from '@prune/siamese';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectActivationStats } from './collectActivationStats';
import { materialise } from './test-utils/materialise';
import { naiveStats, type MaterialisedBatch } from './test-utils/naiveStats';

const BATCH = 64;

function* inputs(pairs: PairSet): Generator<tf.Tensor[]> {
  for (const b of pairBatches(pairs, { batchSize: BATCH })) {
    b.labels.dispose();
    yield [b.left, b.right];
  }
}

/** Both applications of an encoder layer over every pair, computed by a probe model, as plain arrays. */
function materialisePairs(encoder: tfl.LayersModel, layer: string, pairs: PairSet): MaterialisedBatch[] {
  const out: MaterialisedBatch[] = [];
  for (const pair of inputs(pairs)) {
    out.push(...materialise(encoder, layer, pair));
    tf.dispose(pair);
  }
  return out;
}

function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  }
  return worst;
}

describe('collectActivationStats on real MNIST pairs through the Siamese model', () => {
  let pairs: PairSet;
  let model: tfl.LayersModel;
  beforeAll(async () => {
    const mnist = await loadMnist();
    // The lab's evaluation set: 10% of the test split, 2000 pairs (256 on the slow cpu backend).
    pairs = makePairs(subsetSplit(mnist.test, 0.1, 42), tf.getBackend() === 'cpu' ? 256 : 2000, 42);
    model = createSiameseModel({ seed: 7 });
  });

  it('taps conv2 in both branches (2 × pairs images) and matches the naive recomputation', async () => {
    const before = tf.memory().numTensors;
    const probabilities = new Float32Array(pairs.count);
    const stats = await collectActivationStats(model, inputs(pairs), {
      layers: ['conv2', 'dense1'],
      disposeInputs: true,
      onPredictions: async (output, batch) => probabilities.set(await (output as tf.Tensor).data(), batch.start),
    });
    expect(tf.memory().numTensors).toBe(before);

    const conv2 = stats.conv2!;
    expect(conv2.images).toBe(2 * pairs.count);
    expect(pairs.count).toBe(tf.getBackend() === 'cpu' ? 256 : 2000);
    expect(conv2.positions).toBe(14 * 14);
    expect(conv2.channels).toBe(32);
    expect(conv2.mapShape).toEqual([32, 14, 14]);
    expect(stats.dense1!.mapShape).toEqual([128, 1, 1]);

    // The predictions of the same pass are the model's predictions.
    expect(Array.from(probabilities)).toEqual(Array.from(await predictPairs(model, pairs, { batchSize: BATCH })));

    const encoder = model.getLayer('encoder') as tfl.LayersModel;
    for (const layer of ['conv2', 'dense1'] as const) {
      const naive = naiveStats(materialisePairs(encoder, layer, pairs));
      const got = stats[layer]!;
      expect(got.images).toBe(naive.images);
      expect(Array.from(got.apoz)).toEqual(Array.from(naive.apoz)); // counts: exact
      expect(Array.from(got.max)).toEqual(Array.from(naive.max)); // max is pooled from the values: exact
      for (const f of ['mean', 'meanAbs', 'min', 'meanMap', 'std'] as const) {
        expect(maxRelError(got[f], naive[f]), `${layer}.${f}`).toBeLessThan(1e-5);
      }
      const varianceError = Math.max(...naive.variance.map((v, c) => Math.abs(got.variance[c]! - v) / Math.max(v, 1e-12)));
      expect(varianceError, `${layer}.variance`).toBeLessThan(1e-5);
      // The lab's score is the channel mean of the mean map.
      for (let c = 0; c < got.channels; c++) {
        const map = got.meanMap.subarray(c * got.positions, (c + 1) * got.positions);
        expect(Math.abs(map.reduce((a, b) => a + b, 0) / got.positions - got.mean[c]!)).toBeLessThan(1e-12);
      }
    }
  });
});
