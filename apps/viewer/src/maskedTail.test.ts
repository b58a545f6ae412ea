import { memory, mul, randomNormal, tensor1d, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { input, layers, model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createSiameseModel } from '@prune/siamese';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMaskedTail, evaluateMask } from './maskedTail';

/** The naive path: a model whose channels are zeroed in the kernel and bias, run whole. */
function naivePredict(model: LayersModel, layerPath: string, mask: number[], inputs: Tensor[]): Float32Array {
  const [scope, name] = layerPath.includes('/') ? layerPath.split('/') : [undefined, layerPath];
  const holder = scope ? (model.getLayer(scope) as unknown as LayersModel) : model;
  const layer = holder.getLayer(name as string);
  const original = layer.getWeights().map((w) => w.clone());
  tidy(() => {
    const m = tensor1d(mask);
    layer.setWeights(original.map((w) => mul(w, m))); // kernel [kh,kw,ci,co] and bias [co]: last axis = channel
  });
  const out = model.predict(inputs) as Tensor;
  const data = out.dataSync() as Float32Array;
  out.dispose();
  layer.setWeights(original);
  original.forEach((w) => w.dispose());
  return Float32Array.from(data);
}

function randomMask(channels: number, off: number[]): number[] {
  return Array.from({ length: channels }, (_, c) => (off.includes(c) ? 0 : 1));
}

describe('buildMaskedTail on the Siamese model (nested shared encoder)', () => {
  let model: LayersModel;
  let inputs: Tensor4D[];
  const labels = Uint8Array.from({ length: 96 }, (_, i) => i % 2);

  beforeAll(() => {
    model = createSiameseModel({ seed: 7 });
    inputs = [randomNormal([96, 28, 28, 1], 0, 1, 'float32', 1), randomNormal([96, 28, 28, 1], 0, 1, 'float32', 2)];
  });
  afterAll(() => {
    model.dispose();
    inputs.forEach((x) => x.dispose());
  });

  it('cuts after relu2 and pool2 and caches one tensor per branch', async () => {
    const tail = await buildMaskedTail(model, 'conv2', inputs, { batchSize: 40 });
    expect(tail.channels).toBe(32);
    expect(tail.passThrough).toEqual(['relu2', 'pool2']);
    expect(tail.caches.map((c) => c.shape)).toEqual([
      [96, 7, 7, 32],
      [96, 7, 7, 32],
    ]);
    tail.dispose();
  });

  it('gives the naive path probabilities for several masks', async () => {
    const tail = await buildMaskedTail(model, 'encoder/conv2', inputs, { batchSize: 40 });
    for (const off of [[], [3], [0, 5, 9, 31], Array.from({ length: 31 }, (_, i) => i + 1)]) {
      const mask = randomMask(32, off);
      const got = await evaluateMask(tail, mask, labels);
      const expected = naivePredict(model, 'encoder/conv2', mask, inputs);
      expect(got.probabilities.length).toBe(96);
      let maxDiff = 0;
      for (let i = 0; i < 96; i++) maxDiff = Math.max(maxDiff, Math.abs((got.probabilities[i] as number) - (expected[i] as number)));
      expect(maxDiff).toBeLessThan(1e-5);
      const naiveCorrect = Array.from(expected).filter((p, i) => (p >= 0.5 ? 1 : 0) === labels[i]).length;
      expect(got.correct).toBe(naiveCorrect);
    }
    tail.dispose();
  });

  it('switching every channel off makes the prediction independent of the images', async () => {
    const tail = await buildMaskedTail(model, 'conv2', inputs);
    const got = await evaluateMask(tail, new Array(32).fill(0), labels);
    expect(new Set(Array.from(got.probabilities, (p) => p.toFixed(6))).size).toBe(1);
    tail.dispose();
  });

  it('leaks no tensor across builds and evaluations', async () => {
    const before = memory().numTensors;
    const tail = await buildMaskedTail(model, 'conv2', inputs, { batchSize: 50 });
    await evaluateMask(tail, randomMask(32, [1, 2]), labels);
    tail.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('names the layers when the path is unknown, and rejects a wrong mask length', async () => {
    await expect(buildMaskedTail(model, 'conv9', inputs)).rejects.toThrow(/Layer 'conv9' not found.*encoder\/conv2/);
    const tail = await buildMaskedTail(model, 'conv2', inputs);
    await expect(evaluateMask(tail, [1, 0], labels)).rejects.toThrow(/Mask has 2 entries, layer 'conv2' has 32 channels/);
    tail.dispose();
  });
});

describe('buildMaskedTail on a plain CNN (pruned layer in the root model)', () => {
  it('matches the naive path, stopping the cut at a layer that does not preserve zeros', async () => {
    const x = input({ shape: [12, 12, 3] });
    let h = layers.conv2d({ name: 'c1', filters: 8, kernelSize: 3, activation: 'relu', seed: 1 } as never).apply(x) as SymbolicTensor;
    h = layers.batchNormalization({ name: 'bn' }).apply(h) as SymbolicTensor;
    h = layers.flatten().apply(h) as SymbolicTensor;
    const y = layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as SymbolicTensor;
    const cnn = functionalModel({ inputs: x, outputs: y });
    // Non-trivial batch-norm statistics, so that bn(0) ≠ 0 and masking after it would be wrong.
    const bn = cnn.getLayer('bn');
    bn.setWeights(tidy(() => [tensor1d(Array.from({ length: 8 }, (_, i) => 1 + i / 8)), tensor1d(Array.from({ length: 8 }, (_, i) => i / 10 - 0.3)), tensor1d(Array(8).fill(0.2)), tensor1d(Array(8).fill(1.5))]));
    const images = randomNormal([20, 12, 12, 3], 0, 1, 'float32', 3);
    const tail = await buildMaskedTail(cnn, 'c1', [images]);
    expect(tail.passThrough).toEqual([]);
    const mask = randomMask(8, [2, 6]);
    const got = await evaluateMask(tail, mask, new Uint8Array(20));
    const expected = naivePredict(cnn, 'c1', mask, [images]);
    for (let i = 0; i < 20; i++) expect(got.probabilities[i]).toBeCloseTo(expected[i] as number, 5);
    tail.dispose();
    images.dispose();
    cnn.dispose();
  });
});
