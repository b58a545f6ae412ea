import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiameseModel } from './createSiameseModel';

function encoderOf(model: LayersModel): LayersModel {
  return model.getLayer('encoder') as unknown as LayersModel;
}

describe('createSiameseModel', () => {
  let model: LayersModel;
  beforeAll(() => {
    model = createSiameseModel({ seed: 1 });
  });
  afterAll(() => model.dispose());

  it('has the parameter count of the PyTorch original', () => {
    const conv1 = 16 * 9 + 16;
    const conv2 = 32 * 16 * 9 + 32;
    const dense1 = 1568 * 128 + 128;
    const embedding = 128 * 64 + 64;
    const headDense = 128 * 32 + 32;
    const headOut = 32 + 1;
    expect(model.countParams()).toBe(conv1 + conv2 + dense1 + embedding + headDense + headOut);
    expect(model.countParams()).toBe(218049);
  });

  it('names its layers as the contract says', () => {
    expect(model.inputNames).toEqual(['left', 'right']);
    expect(model.layers.map((l) => l.name)).toEqual(['left', 'right', 'encoder', 'fusion', 'head_dense', 'head_out']);
    expect(encoderOf(model).layers.map((l) => l.name)).toEqual([
      'image', 'conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'flatten', 'dense1', 'dropout', 'embedding',
    ]);
    const classes = encoderOf(model).layers.map((l) => l.getClassName());
    expect(classes).toEqual([
      'InputLayer', 'Conv2D', 'Activation', 'MaxPooling2D', 'Conv2D', 'Activation', 'MaxPooling2D', 'Flatten', 'Dense', 'Dropout', 'Dense',
    ]);
    expect(model.getLayer('fusion').getClassName()).toBe('SiameseFusion');
  });

  it('keeps conv2 linear, with its ReLU in a separate layer', () => {
    const enc = encoderOf(model);
    expect(enc.getLayer('conv2').getConfig()['activation']).toBe('linear');
    expect(enc.getLayer('conv1').getConfig()['activation']).toBe('linear');
    expect(enc.getLayer('relu2').getConfig()['activation']).toBe('relu');
    expect(enc.getLayer('conv2').outputShape).toEqual([null, 14, 14, 32]);
    expect(enc.getLayer('dense1').getConfig()['activation']).toBe('relu');
    expect(enc.getLayer('dropout').getConfig()['rate']).toBe(0.2);
    expect(model.getLayer('head_out').getConfig()['activation']).toBe('sigmoid');
    expect(model.outputShape).toEqual([null, 1]);
  });

  it('shares one encoder between both inputs', () => {
    const enc = encoderOf(model);
    // one node for the encoder's own graph, then one per application
    expect(enc.inboundNodes.length).toBe(3);
    expect(enc.inboundNodes.slice(1).map((n) => n.inputTensors[0]?.name)).toEqual(['left', 'right']);
    // 6 weighted layers, kernel + bias each: the encoder's weights exist once.
    expect(model.weights.length).toBe(12);
    expect(new Set(model.weights.map((w) => w.name)).size).toBe(12);
  });

  it('initialises like PyTorch (uniform within ±1/√fan_in) and deterministically for a seed', () => {
    const enc = encoderOf(model);
    const [kernel, bias] = enc.getLayer('dense1').getWeights() as [tf.Tensor, tf.Tensor];
    const k = kernel.dataSync();
    const bound = 1 / Math.sqrt(1568);
    let sq = 0;
    let maxAbs = 0;
    for (const v of k) {
      sq += v * v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    expect(maxAbs).toBeLessThanOrEqual(bound);
    expect(maxAbs).toBeGreaterThan(0.99 * bound);
    // std of U(−b, b) is b/√3
    expect(Math.sqrt(sq / k.length)).toBeCloseTo(bound / Math.sqrt(3), 4);
    expect(Math.max(...bias.dataSync().map(Math.abs))).toBeLessThanOrEqual(bound);

    const again = createSiameseModel({ seed: 1 });
    const other = createSiameseModel({ seed: 2 });
    const a = model.getWeights().map((w) => Array.from(w.dataSync()));
    const b = again.getWeights().map((w) => Array.from(w.dataSync()));
    const c = other.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    for (let i = 0; i < a.length; i++) expect(c[i]).not.toEqual(a[i]);
    again.dispose();
    other.dispose();
  });

  it('outputs a probability per pair, symmetric in its two inputs', () => {
    const before = tf.memory().numTensors;
    const x1 = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 5);
    const x2 = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 6);
    const p12 = model.predict([x1, x2]) as tf.Tensor;
    const p21 = model.predict([x2, x1]) as tf.Tensor;
    expect(p12.shape).toEqual([3, 1]);
    const v = p12.dataSync();
    for (const p of v) expect(p > 0 && p < 1).toBe(true);
    // |z1−z2| and z1⊙z2 do not depend on the order of the pair.
    expect(Array.from(p21.dataSync())).toEqual(Array.from(v));
    tf.dispose([x1, x2, p12, p21]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('builds other sizes and rejects bad configurations by field', () => {
    const small = createSiameseModel({ conv2Filters: 8, hiddenUnits: 16, embeddingUnits: 4, headUnits: 3 });
    expect(small.countParams()).toBe(160 + (8 * 16 * 9 + 8) + (7 * 7 * 8 * 16 + 16) + (16 * 4 + 4) + (8 * 3 + 3) + 4);
    small.dispose();
    expect(() => createSiameseModel({ conv2Filters: 0 })).toThrow(/SiameseConfig\.conv2Filters/);
    expect(() => createSiameseModel({ dropout: 1 })).toThrow(/SiameseConfig\.dropout/);
    expect(() => createSiameseModel({ seed: 0.5 })).toThrow(/SiameseConfig\.seed/);
  });

  it('leaks no tensor when built and disposed', () => {
    const before = tf.memory().numTensors;
    createSiameseModel().dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
