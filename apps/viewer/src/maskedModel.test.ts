import { gather, memory, mul, randomNormal, randomUniform, tensor1d, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { input, layers, model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createSiameseModel } from '@prune/siamese';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFeatures, evaluateMask, planCut } from './maskedModel';

/** The naive path: the whole model run with the channels' kernel slices and biases zeroed. */
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
  const data = Float32Array.from(out.dataSync());
  out.dispose();
  layer.setWeights(original);
  original.forEach((w) => w.dispose());
  return data;
}

const maskWithOff = (channels: number, off: number[]): number[] => Array.from({ length: channels }, (_, c) => (off.includes(c) ? 0 : 1));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
const MASKS = [[], [3], [0, 5, 9, 31], Array.from({ length: 31 }, (_, i) => i + 1), Array.from({ length: 32 }, (_, i) => i)];

describe('masked Siamese model: features per image, gathered per pair', () => {
  let model: LayersModel;
  let images: Tensor4D;
  let pairInputs: Tensor[];
  const left = Int32Array.from({ length: 96 }, (_, i) => (i * 7) % 40);
  const right = Int32Array.from({ length: 96 }, (_, i) => (i * 13 + 5) % 40);
  const labels = Uint8Array.from({ length: 96 }, (_, i) => i % 2);

  beforeAll(() => {
    model = createSiameseModel({ seed: 7 });
    images = randomNormal([40, 28, 28, 1], 0, 1, 'float32', 1);
    pairInputs = [gather(images, tensor1d(left, 'int32')), gather(images, tensor1d(right, 'int32'))];
  });
  afterAll(() => {
    model.dispose();
    images.dispose();
    pairInputs.forEach((x) => x.dispose());
  });

  it('cuts after relu2 and pool2, on the encoder applied to both inputs', () => {
    const plan = planCut(model, 'conv2');
    expect(plan.passThrough).toEqual(['relu2', 'pool2']);
    expect(plan.applicationInputs).toEqual([0, 1]);
    expect(plan.channels).toBe(32);
  });

  it('gives the naive path probabilities through the linear consumer (dense1) and through the plain tail', async () => {
    const plan = planCut(model, 'encoder/conv2');
    for (const linearConsumer of [true, false]) {
      const masked = plan.withData({ features: await computeFeatures(plan, [images], { batchSize: 16 }), unitOfExample: [left, right] }, { linearConsumer });
      expect(masked.path).toBe(linearConsumer ? 'linear-consumer' : 'tail');
      for (const off of MASKS) {
        const mask = maskWithOff(32, off);
        const got = await evaluateMask(masked, mask, labels);
        const expected = naivePredict(model, 'encoder/conv2', mask, pairInputs);
        expect(maxAbsDiff(got.probabilities, expected)).toBeLessThan(1e-5);
        expect(got.correct).toBe(Array.from(expected).filter((p, i) => (p >= 0.5 ? 1 : 0) === labels[i]).length);
      }
      masked.dispose();
    }
  });

  it('accepts features cached at an earlier cut (after relu2 only)', async () => {
    const plan = planCut(model, 'conv2').cutAfter(['encoder/relu2']);
    expect(plan.passThrough).toEqual(['relu2']);
    const features = tidy(() => plan.upstream([images])); // [40, 14, 14, 32]
    const masked = plan.withData({ features, unitOfExample: [left, right] });
    expect(masked.path).toBe('tail'); // pool2 sits between the cut and dense1
    const mask = maskWithOff(32, [4, 8, 15, 16, 23, 30]);
    const got = await evaluateMask(masked, mask, labels);
    expect(maxAbsDiff(got.probabilities, naivePredict(model, 'encoder/conv2', mask, pairInputs))).toBeLessThan(1e-5);
    masked.dispose();
    expect(() => planCut(model, 'conv2').cutAfter(['pool2'])).toThrow(/Cannot cut 'conv2' after \[pool2\]: the layers after it are \[relu2, pool2\]/);
  });

  it('leaks no tensor across building, evaluating and disposing', async () => {
    const before = memory().numTensors;
    const plan = planCut(model, 'conv2');
    const masked = plan.withData({ features: await computeFeatures(plan, [images], { batchSize: 25 }), unitOfExample: [left, right] });
    await evaluateMask(masked, maskWithOff(32, [1, 2]), labels);
    masked.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('names the layers when the path is unknown, and rejects wrong masks and unit indices', async () => {
    expect(() => planCut(model, 'conv9')).toThrow(/Layer 'conv9' not found in model 'siamese'; layers: .*encoder\/conv2/);
    const plan = planCut(model, 'conv2');
    const features = tidy(() => plan.upstream([images]));
    expect(() => plan.withData({ features, unitOfExample: [left, Int32Array.of(40)] })).toThrow(/Unit index 40 outside the 40 cached units/);
    const masked = plan.withData({ features, unitOfExample: [left, right] });
    await expect(evaluateMask(masked, [1, 0], labels)).rejects.toThrow(/Mask has 2 entries, layer 'conv2' has 32 channels/);
    masked.dispose();
  });
});

describe('masked plain CNNs (pruned layer in the root model)', () => {
  it('stops the cut before batch normalisation, which does not map 0 to 0', async () => {
    const x = input({ shape: [12, 12, 3] });
    let h = layers.conv2d({ name: 'c1', filters: 8, kernelSize: 3, activation: 'relu' }).apply(x) as SymbolicTensor;
    h = layers.batchNormalization({ name: 'bn' }).apply(h) as SymbolicTensor;
    h = layers.flatten().apply(h) as SymbolicTensor;
    const cnn = functionalModel({ inputs: x, outputs: layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as SymbolicTensor });
    cnn.getLayer('bn').setWeights(tidy(() => [randomUniform([8], 0.5, 1.5), randomUniform([8], -0.5, 0.5), randomUniform([8], -0.2, 0.2), randomUniform([8], 0.5, 2)]));
    const images = randomNormal([20, 12, 12, 3], 0, 1, 'float32', 3);
    const plan = planCut(cnn, 'c1');
    expect(plan.passThrough).toEqual([]);
    const masked = plan.withData({ features: await computeFeatures(plan, [images]) });
    expect(masked.path).toBe('tail');
    const mask = maskWithOff(8, [2, 6]);
    const got = await evaluateMask(masked, mask, new Uint8Array(20));
    expect(maxAbsDiff(got.probabilities, naivePredict(cnn, 'c1', mask, [images]))).toBeLessThan(1e-5);
    masked.dispose();
    images.dispose();
    cnn.dispose();
  });

  it('uses the linear consumer through max-pool and flatten into a Dense', async () => {
    const x = input({ shape: [10, 10, 2] });
    let h = layers.conv2d({ name: 'c1', filters: 6, kernelSize: 3, padding: 'same' }).apply(x) as SymbolicTensor;
    h = layers.reLU().apply(h) as SymbolicTensor;
    h = layers.maxPooling2d({ poolSize: 2 }).apply(h) as SymbolicTensor;
    h = layers.flatten().apply(h) as SymbolicTensor;
    h = layers.dense({ units: 5, activation: 'tanh' }).apply(h) as SymbolicTensor;
    const cnn = functionalModel({ inputs: x, outputs: layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as SymbolicTensor });
    const images = randomNormal([30, 10, 10, 2], 0, 1, 'float32', 4);
    const plan = planCut(cnn, 'c1');
    const masked = plan.withData({ features: await computeFeatures(plan, [images], { batchSize: 7 }) });
    expect(masked.path).toBe('linear-consumer');
    for (const off of [[], [0], [1, 3, 5], [0, 1, 2, 3, 4, 5]]) {
      const mask = maskWithOff(6, off);
      const got = await evaluateMask(masked, mask, new Uint8Array(30));
      expect(maxAbsDiff(got.probabilities, naivePredict(cnn, 'c1', mask, [images]))).toBeLessThan(1e-5);
    }
    masked.dispose();
    images.dispose();
    cnn.dispose();
  });
});
