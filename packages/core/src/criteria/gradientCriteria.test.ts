import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { tapLayers } from '@prune/activations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskChannels } from '../masks/channelMask';
import { scoreChannels } from './importance';
import { binaryAccuracy } from '../evaluation/metrics';
import { randomInputs, randomLabels, smallSiamese } from '../test-utils/testModels';
import { ablationImportance } from './ablationImportance';
import { defaultLoss, taylorImportance } from './taylorImportance';

/** A smooth Siamese-like model (tanh, average pooling) so finite differences are accurate. */
function smoothSiamese(): tfl.LayersModel {
  const g = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const image = tfl.input({ shape: [6, 6, 1] });
  let x = tfl.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: g(1), biasInitializer: tfl.initializers.constant({ value: 0.1 }) }).apply(image) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'tanh' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const z = tfl.layers.dense({ units: 4, activation: 'tanh', kernelInitializer: g(2) }).apply(x) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: image, outputs: z, name: 'enc' });
  const a = tfl.input({ shape: [6, 6, 1] });
  const b = tfl.input({ shape: [6, 6, 1] });
  const merged = tfl.layers.concatenate().apply([encoder.apply(a) as tfl.SymbolicTensor, encoder.apply(b) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  const p = tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: g(3) }).apply(merged) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [a, b], outputs: p });
}

describe('taylorImportance', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu'); // the finite-difference oracle needs the cpu backend's exact float32 kernels
  });
  afterAll(async () => {
    await tf.setBackend(process.env.PRUNE_TEST_BACKEND ?? 'wasm');
  });

  it('equals |Σ positions a·∂L/∂a| / positions per image and application, averaged, by central finite differences', async () => {
    const model = smoothSiamese();
    const n = 5;
    const left = randomInputs(n, [6, 6, 1], 1);
    const right = randomInputs(n, [6, 6, 1], 2);
    const labels = Float32Array.from([1, 0, 1, 1, 0]);
    const before = tf.memory().numTensors;
    const taylor = await scoreChannels(taylorImportance(), { model, layer: 'conv', data: { inputs: [left, right], labels }, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);

    // d/dε of example i's loss when application j's channel c is scaled by (1 + ε) is Σ_positions a·g for (i, j, c).
    const lossPerExample = (application: number, channel: number, eps: number): Float32Array => {
      const scale = tf.tensor1d([0, 1, 2].map((c) => (c === channel ? 1 + eps : 1)));
      const restore = tapLayers(model, ['conv'], (_p, out, app) => (app === application ? tf.mul(out, scale) : undefined));
      const p = model.predict([left, right]) as tf.Tensor;
      restore();
      const l = defaultLoss(tf.tensor1d(labels), p);
      const v = Float32Array.from(l.dataSync());
      tf.dispose([scale, p, l]);
      return v;
    };
    const eps = 1e-2;
    const positions = 36;
    const expected = [0, 1, 2].map((c) => {
      let sum = 0;
      for (const application of [0, 1]) {
        const up = lossPerExample(application, c, eps);
        const down = lossPerExample(application, c, -eps);
        for (let i = 0; i < n; i++) sum += Math.abs((up[i]! - down[i]!) / (2 * eps)) / positions;
      }
      return sum / (2 * n);
    });
    for (let c = 0; c < 3; c++) {
      expect(taylor[c]).toBeGreaterThan(0);
      expect(Math.abs(taylor[c]! - expected[c]!)).toBeLessThan(2e-3 * expected[c]! + 1e-6);
    }
    tf.dispose([left, right]);
    model.dispose();
  });

  it('accepts a custom loss and names what is missing', async () => {
    const model = smoothSiamese();
    const x = randomInputs(3, [6, 6, 1], 3);
    await expect(scoreChannels(taylorImportance(), { model, layer: 'conv', data: { inputs: [x, x] } })).rejects.toThrow(/criterion 'taylor' on layer 'enc\/conv' needs labels/);
    // Loss = the output itself: the score scales with how much each channel moves p.
    const mine = await scoreChannels(taylorImportance({ loss: (_y, p) => p }), { model, layer: 'conv', data: { inputs: [x, x], labels: [0, 0, 0] } });
    expect(mine.every((v) => v > 0)).toBe(true);
    x.dispose();
    model.dispose();
  });
});

describe('ablationImportance', () => {
  it('is the metric drop of zeroing each channel alone, as evaluated on masked copies', async () => {
    const model = smallSiamese({ seed: 5 });
    const left = randomInputs(60, [12, 12, 1], 81);
    const right = randomInputs(60, [12, 12, 1], 82);
    const labels = randomLabels(60, 83);
    const data = { inputs: [left, right], labels };
    const before = tf.memory().numTensors;
    const scores = await scoreChannels(ablationImportance(), { model, layer: 'conv2', data, batchSize: 25 });
    expect(tf.memory().numTensors).toBe(before);
    const accuracy = (m: tfl.LayersModel) => {
      const p = m.predict([left, right]) as tf.Tensor;
      const v = binaryAccuracy().compute(p.dataSync() as Float32Array, labels, 1);
      p.dispose();
      return v;
    };
    const baseline = accuracy(model);
    expect(scores.some((v) => v !== 0)).toBe(true); // the check below compares real drops, not only zeros
    for (let c = 0; c < 6; c++) {
      const copy = await applyChannelMask(model, maskChannels('conv2', 6, [c]));
      expect(scores[c]).toBeCloseTo(baseline - accuracy(copy), 10);
      copy.dispose();
    }
    await expect(scoreChannels(ablationImportance(), { model, layer: 'conv2' })).rejects.toThrow(/criterion 'ablation' .* needs 'data'/);
    tf.dispose([left, right]);
    model.dispose();
  });
});
