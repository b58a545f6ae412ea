import * as tf from '@tensorflow/tfjs-core';
import { tapLayers } from '@prune/activations';
import { describe, expect, it } from 'vitest';
import { binaryAccuracy } from './metrics';
import { naiveSweep } from './naiveSweep';
import { randomInputs, randomLabels, smallSiamese } from '../test-utils/testModels';

describe('naiveSweep', () => {
  it('matches masking the layer output in the forward pass (an independent mechanism) for every K', async () => {
    const model = smallSiamese({ seed: 2 });
    const left = randomInputs(40, [12, 12, 1], 11);
    const right = randomInputs(40, [12, 12, 1], 12);
    const labels = randomLabels(40, 13);
    const order = [4, 1, 5, 0, 3, 2];
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const result = await naiveSweep(model, 'conv2', order, { inputs: [left, right], labels }, {
      keepPredictions: true,
      batchSize: 16,
      onProgress: (p) => progress.push(p.k),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.points.map((p) => p.k)).toEqual([1, 2, 3, 4, 5]);
    expect(progress).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.layer).toBe('encoder/conv2');
    for (const [i, { k, metric }] of result.points.entries()) {
      const keep = tf.tensor1d(Array.from({ length: 6 }, (_, c) => (order.slice(0, k).includes(c) ? 0 : 1)));
      const restore = tapLayers(model, ['conv2'], (_p, out) => tf.mul(out, keep));
      const p = model.predict([left, right]) as tf.Tensor;
      restore();
      const expected = p.dataSync() as Float32Array;
      const got = result.predictions![i]!;
      for (let j = 0; j < 40; j++) expect(Math.abs(got[j]! - expected[j]!)).toBeLessThan(1e-6);
      expect(metric).toBe(binaryAccuracy().compute(expected, labels, 1));
      tf.dispose([keep, p]);
    }
    expect(result.baseline).toBe(binaryAccuracy().compute(result.baselinePredictions!, labels, 1));
    tf.dispose([left, right]);
    model.dispose();
  });

  it('rejects a bad order, K or layer', async () => {
    const model = smallSiamese();
    const x = tf.zeros([2, 12, 12, 1]);
    const data = { inputs: [x, x], labels: [0, 1] };
    await expect(naiveSweep(model, 'conv2', [0, 1, 2], data)).rejects.toThrow(/order has 3 entries but layer 'encoder\/conv2' has 6/);
    await expect(naiveSweep(model, 'conv2', [0, 1, 2, 3, 4, 5], data, { ks: [6] })).rejects.toThrow(/K = 6 .* outside 0 … 5/);
    await expect(naiveSweep(model, 'flatten', [0], data)).rejects.toThrow(/no prunable output channels/);
    x.dispose();
    model.dispose();
  });
});
