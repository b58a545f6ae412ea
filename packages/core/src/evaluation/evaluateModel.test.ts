import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { evaluateModel } from './evaluateModel';

describe('evaluateModel', () => {
  it('arg-max accuracy against class indices, and binary accuracy at 0.5, counted by hand', () => {
    // Dense with identity kernel: the prediction is the input row itself.
    const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [3], useBias: false, kernelInitializer: 'identity' })] });
    const x = tf.tensor2d([[1, 0, 0], [0, 2, 1], [0, 0, 3], [5, 1, 0]]);
    const before = tf.memory().numTensors;
    // Predicted classes 0, 1, 2, 0; labels 0, 2, 2, 1: two of four right.
    expect(evaluateModel(m, { inputs: x, labels: [0, 2, 2, 1] }, { batchSize: 3 })).toBe(0.5);
    expect(tf.memory().numTensors).toBe(before);
    const b = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'ones' })] });
    const p = tf.tensor2d([[0.2], [0.7], [0.5], [0.1]]);
    expect(evaluateModel(b, { inputs: p, labels: [0, 1, 0, 1] })).toBe(0.5);
    expect(() => evaluateModel(m, { inputs: x })).toThrow(/categoricalAccuracy: needs a class index or a one-hot row per example \(4\), got none/);
    tf.dispose([x, p]);
    m.dispose();
    b.dispose();
  });
});
