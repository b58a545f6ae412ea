import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskChannels } from '../masks/channelMask';
import { evaluatePrunedSets } from './evaluatePrunedSets';
import { binaryAccuracy } from './metrics';
import { randomInputs, randomLabels, smallSiamese } from '../test-utils/testModels';

describe('evaluatePrunedSets', () => {
  it('equals masked copies for arbitrary sets, in the given order', async () => {
    const model = smallSiamese({ seed: 9 });
    const left = randomInputs(30, [12, 12, 1], 101);
    const right = randomInputs(30, [12, 12, 1], 102);
    const labels = randomLabels(30, 103);
    const sets = [[5, 1, 3], [], [0], [2, 4], [0, 1, 2, 3, 4]];
    const before = tf.memory().numTensors;
    const result = await evaluatePrunedSets(model, 'conv2', { inputs: [left, right], labels }, sets, { batchSize: 11 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.path).toBe('linear-consumer');
    for (const [i, set] of sets.entries()) {
      const copy = await applyChannelMask(model, maskChannels('conv2', 6, set));
      const p = copy.predict([left, right]) as tf.Tensor;
      const expected = p.dataSync() as Float32Array;
      const got = result.predictions[i]!;
      for (let j = 0; j < 30; j++) expect(Math.abs(got[j]! - expected[j]!)).toBeLessThan(1e-5);
      expect(result.metrics[i]).toBe(binaryAccuracy().compute(expected, labels, 1));
      p.dispose();
      copy.dispose();
    }
    await expect(evaluatePrunedSets(model, 'conv2', { inputs: [left, right], labels }, [[0, 1, 2, 3, 4, 5]])).rejects.toThrow(/would cut the network/);
    await expect(evaluatePrunedSets(model, 'conv2', { inputs: [left, right], labels }, [[7]])).rejects.toThrow(/channel 7 of layer 'encoder\/conv2' is outside 0 … 5/);
    tf.dispose([left, right]);
    model.dispose();
  });
});
