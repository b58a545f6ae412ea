import * as tf from '@tensorflow/tfjs-core';
import { createSiameseModel } from '@prune/siamese';
import { describe, expect, it } from 'vitest';
import { cloneModel } from './cloneModel';

describe('cloneModel', () => {
  it('copies a nested, shared-encoder model: same outputs, independent weights, fully disposable', async () => {
    const model = createSiameseModel({ seed: 3 });
    const left = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 1);
    const right = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const copy = await cloneModel(model);
    expect(copy).not.toBe(model);
    const a = model.predict([left, right]) as tf.Tensor;
    const b = copy.predict([left, right]) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    // Changing the copy leaves the original untouched.
    const conv2 = copy.getLayer('encoder') as unknown as { getLayer(n: string): { getWeights(): tf.Tensor[]; setWeights(w: tf.Tensor[]): void } };
    const w = conv2.getLayer('conv2').getWeights().map((t) => tf.zerosLike(t));
    conv2.getLayer('conv2').setWeights(w);
    w.forEach((t) => t.dispose());
    const c = model.predict([left, right]) as tf.Tensor;
    expect(Array.from(await c.data())).toEqual(Array.from(await a.data()));
    tf.dispose([a, b, c]);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    tf.dispose([left, right]);
  });
});
