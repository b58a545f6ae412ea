import * as tf from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { pairImages } from '@prune/mnist-pairs';
import { describe, expect, it } from 'vitest';
import { conv2Statistics } from './activationStats';

describe('activations guide example', () => {
  it('conv2Statistics: both branches of 100 pairs, equal to a direct computation of conv2 output', async () => {
    const tensors = tf.memory().numTensors;
    const { model, pairs, applications, stats } = await conv2Statistics(100, 1);
    expect(applications).toEqual([
      { application: 0, shape: [50, 14, 14, 32] },
      { application: 1, shape: [50, 14, 14, 32] },
    ]);
    expect(stats.images).toBe(200);
    expect(stats.channels).toBe(32);
    expect(stats.mapShape).toEqual([32, 14, 14]);

    // Independently: a model from the encoder's input to conv2's output, run on every
    // left and right image.
    const encoder = model.getLayer('encoder') as unknown as LayersModel;
    const upToConv2 = functionalModel({
      inputs: encoder.inputs,
      outputs: encoder.getLayer('conv2').output,
    });
    const { left, right } = pairImages(pairs);
    const out = tf.tidy(() => {
      const images = tf.concat([
        tf.tensor4d(left, [100, 28, 28, 1]),
        tf.tensor4d(right, [100, 28, 28, 1]),
      ]);
      // [200, 14, 14, 32], summed below in float64
      return (upToConv2.predict(images) as tf.Tensor).dataSync();
    });
    const sum = new Float64Array(32);
    const nonPositive = new Float64Array(32);
    out.forEach((v, i) => {
      sum[i % 32]! += v;
      if (v <= 0) nonPositive[i % 32]! += 1;
    });
    const values = 200 * 14 * 14;
    for (let c = 0; c < 32; c++) {
      expect(stats.mean[c]!).toBeCloseTo(sum[c]! / values, 9);
      expect(stats.apoz[c]!).toBe(nonPositive[c]! / values);
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
