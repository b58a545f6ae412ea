import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { makePairs, pairImages, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel, trainSiamese } from '@prune/siamese';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskChannels } from '../masks/channelMask';
import { createMaskEvaluator, type MaskEvaluator } from './createMaskEvaluator';
import { binaryAccuracy, categoricalAccuracy } from './metrics';
import { plainCnn, randomInputs, randomLabels, residualModel } from '../test-utils/testModels';
import { withoutKernelLeakCheck } from '../test-utils/withoutKernelLeakCheck';

const TOLERANCE = 1e-5;

/**
 * The naive path, written independently of the package: zero the channels' kernel slices and biases of the given
 * layers in place (all the sources of a group, where no layer between them and the consumers maps 0 elsewhere),
 * run the whole model, restore.
 */
function naivePredict(model: tfl.LayersModel, layer: tfl.layers.Layer | tfl.layers.Layer[], channels: number, off: readonly number[], inputs: tf.Tensor | tf.Tensor[]): Float32Array {
  const layers = Array.isArray(layer) ? layer : [layer];
  const originals = layers.map((l) => l.getWeights().map((w) => w.clone()));
  const keep = tf.tensor1d(Array.from({ length: channels }, (_, c) => (off.includes(c) ? 0 : 1)));
  layers.forEach((l, i) => {
    const zeroed = tf.tidy(() => originals[i]!.map((w) => tf.mul(w, keep))); // kernel [..., in, out] and bias [out]: channels last
    l.setWeights(zeroed);
    tf.dispose(zeroed);
  });
  const out = model.predict(inputs) as tf.Tensor;
  const values = Float32Array.from(out.dataSync());
  layers.forEach((l, i) => l.setWeights(originals[i]!));
  tf.dispose([out, keep, ...originals.flat()]);
  return values;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

/** Accuracy difference explained only by probabilities within TOLERANCE of 0.5 (where float32 summation order may flip a decision). */
function expectSameAccuracy(got: number, naive: Float32Array, labels: ArrayLike<number>): void {
  const expected = binaryAccuracy().compute(naive, labels, 1);
  const borderline = naive.filter((p) => Math.abs(p - 0.5) < TOLERANCE).length;
  expect(Math.abs(got - expected)).toBeLessThanOrEqual(borderline / naive.length);
}

describe('createMaskEvaluator on MNIST pairs with the Siamese model', () => {
  let model: tfl.LayersModel;
  let conv2: tfl.layers.Layer;
  let pairs: PairSet;
  let left: tf.Tensor4D;
  let right: tf.Tensor4D;
  let images: tf.Tensor4D;
  const n = 400;
  // Masks in an order that exercises every update route: from the previous mask, from the bias, from the full sum.
  const MASKS = [[3], [3, 17], [0, 5, 9, 31], Array.from({ length: 31 }, (_, i) => i + 1), Array.from({ length: 32 }, (_, i) => i), [], [12], [12]];

  beforeAll(async () => {
    const mnist = await loadMnist();
    const train = makePairs(subsetSplit(mnist.train, 0.1, 3), 1000, 3);
    pairs = makePairs(subsetSplit(mnist.test, 0.05, 4), n, 4);
    model = createSiameseModel({ seed: 11 });
    await withoutKernelLeakCheck(() => trainSiamese(model, train, { epochs: 3, seed: 11 }));
    conv2 = (model.getLayer('encoder') as unknown as tfl.LayersModel).getLayer('conv2');
    const pixels = pairImages(pairs);
    left = tf.tensor4d(pixels.left, [n, 28, 28, 1]);
    right = tf.tensor4d(pixels.right, [n, 28, 28, 1]);
    images = tf.tensor4d(pairs.split.images, [pairs.split.count, 28, 28, 1]);
  }, 120_000);
  afterAll(() => {
    tf.dispose([left, right, images]);
    model.dispose();
  });

  it('evaluates every mask as the naive path does, from the model inputs, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const evaluator = await createMaskEvaluator(model, 'conv2', { inputs: [left, right], labels: pairs.labels }, { batchSize: 150 });
    const held = tf.memory().numTensors;
    expect(evaluator.path).toBe('linear-consumer');
    expect(evaluator.layer).toBe('encoder/conv2');
    expect([evaluator.channels, evaluator.count, evaluator.outputSize, evaluator.metricName]).toEqual([32, n, 1, 'accuracy']);
    const unpruned = naivePredict(model, conv2, 32, [], [left, right]);
    expectSameAccuracy(evaluator.baseline, unpruned, pairs.labels);
    expect(evaluator.baseline).toBeGreaterThan(0.6); // trained: the masks below change real decisions
    const accuracies: number[] = [];
    for (const off of MASKS) {
      const got = evaluator.evaluate(off);
      const naive = naivePredict(model, conv2, 32, off, [left, right]);
      expect(maxAbsDiff(got.predictions, naive)).toBeLessThan(TOLERANCE);
      expectSameAccuracy(got.metric, naive, pairs.labels);
      accuracies.push(got.metric);
    }
    expect(new Set(accuracies).size).toBeGreaterThan(2);
    // Each consumer application keeps a kernel slice per channel once used (at most 32), and each batch its channel
    // contributions (at most 32 per application); nothing else accumulates.
    expect(tf.memory().numTensors - held).toBeLessThanOrEqual(2 * 32 * (1 + Math.ceil(n / 150)));
    const warm = tf.memory().numTensors;
    for (const off of MASKS) expect(evaluator.evaluate(off).metric).toBe(accuracies[MASKS.indexOf(off)]);
    expect(tf.memory().numTensors).toBe(warm);
    // A ChannelMask, and the package's own masked copy, agree too.
    const copy = await applyChannelMask(model, maskChannels('conv2', 32, [4, 8, 15]));
    const p = copy.predict([left, right]) as tf.Tensor;
    expect(maxAbsDiff(evaluator.evaluate(maskChannels('conv2', 32, [15, 8, 4])).predictions, p.dataSync() as Float32Array)).toBeLessThan(TOLERANCE);
    tf.dispose(p);
    copy.dispose();
    evaluator.dispose();
    evaluator.dispose(); // idempotent
    expect(tf.memory().numTensors).toBe(before);
    expect(() => evaluator.evaluate([1])).toThrow(/evaluator of layer 'encoder\/conv2' was disposed/);
  });

  it('gives the same results from per-image features at pool2 or relu2, gathered per pair', async () => {
    const encoder = model.getLayer('encoder') as unknown as tfl.LayersModel;
    for (const cut of ['pool2', 'relu2']) {
      // The features computed independently: the encoder's own sub-model up to the cut, on each test image once.
      const upTo = tfl.model({ inputs: encoder.inputs, outputs: encoder.getLayer(cut).output as tfl.SymbolicTensor });
      const features = upTo.predict(images) as tf.Tensor; // [images, h, w, 32]
      const before = tf.memory().numTensors;
      let progress = 0;
      const evaluator = await createMaskEvaluator(
        model,
        'encoder/conv2',
        { features: { layer: `encoder/${cut}`, values: features, unitOfExample: [pairs.left, pairs.right] }, labels: pairs.labels },
        { batchSize: 128, onProgress: (done, total) => (progress = done / total) },
      );
      expect(progress).toBe(1);
      expect(evaluator.count).toBe(n);
      expect(evaluator.path).toBe('linear-consumer');
      for (const off of MASKS) {
        const got = evaluator.evaluate(off);
        const naive = naivePredict(model, conv2, 32, off, [left, right]);
        expect(maxAbsDiff(got.predictions, naive)).toBeLessThan(TOLERANCE);
        expectSameAccuracy(got.metric, naive, pairs.labels);
      }
      evaluator.dispose();
      expect(tf.memory().numTensors).toBe(before);
      features.dispose();
    }
  });

  it('names what is wrong with features, unit indices and channels', async () => {
    const labels = pairs.labels;
    const before = tf.memory().numTensors;
    const f = tf.zeros([pairs.split.count, 7, 7, 32]);
    const g = tf.zeros([pairs.split.count, 14, 14, 16]);
    await expect(createMaskEvaluator(model, 'conv2', { features: { layer: 'encoder/pool2', values: f }, labels })).rejects.toThrow(
      /features of 'encoder\/pool2': the layer is applied 2 times; give unitOfExample/,
    );
    await expect(createMaskEvaluator(model, 'conv2', { features: { layer: 'pool2', values: f, unitOfExample: [pairs.left, Int32Array.of(5000)] }, labels })).rejects.toThrow(
      /unitOfExample\[1\] has 1 entries but unitOfExample\[0\] has 400/,
    );
    const bad = Int32Array.from(pairs.right);
    bad[7] = pairs.split.count;
    await expect(createMaskEvaluator(model, 'conv2', { features: { layer: 'pool2', values: f, unitOfExample: [pairs.left, bad] }, labels })).rejects.toThrow(
      new RegExp(`unitOfExample\\[1\\]\\[7\\] = ${pairs.split.count} is outside the ${pairs.split.count} units`),
    );
    await expect(createMaskEvaluator(model, 'conv2', { features: { layer: 'pool2', values: g, unitOfExample: [pairs.left, pairs.right] }, labels })).rejects.toThrow(
      /values have shape \[\d+, 14, 14, 16\] but the layer outputs \[units, 7, 7, 32\]/,
    );
    // Features past the consumer (dense1) cannot stand in for its input; features before the group could.
    const h = tf.zeros([pairs.split.count, 128]);
    await expect(createMaskEvaluator(model, 'conv2', { features: { layer: 'dense1', values: h, unitOfExample: [pairs.left, pairs.right] }, labels })).rejects.toThrow(
      /features of 'dense1' do not determine model input \d, which the evaluation needs; give features of a layer that every consumer of the group of 'encoder\/conv2' is computed from \('encoder\/dense1'/,
    );
    h.dispose();
    expect(tf.memory().numTensors).toBe(before + 2); // f and g
    const evaluator = await createMaskEvaluator(model, 'conv2', { features: { layer: 'pool2', values: f, unitOfExample: [pairs.left, pairs.right] }, labels });
    expect(() => evaluator.evaluate([32])).toThrow(/channel 32 of layer 'encoder\/conv2' is outside 0 … 31/);
    expect(() => evaluator.evaluate([2, 2])).toThrow(/channel 2 of layer 'encoder\/conv2' is listed twice/);
    expect(() => evaluator.evaluate(maskChannels('c1', 5, [1]))).toThrow(/the mask of layer 'c1' has 5 channels but layer 'encoder\/conv2' has 32/);
    evaluator.dispose();
    tf.dispose([f, g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('createMaskEvaluator on small models', () => {
  const check = (evaluator: MaskEvaluator, model: tfl.LayersModel, layer: tfl.layers.Layer | tfl.layers.Layer[], x: tf.Tensor, masks: number[][]): void => {
    for (const off of masks) {
      expect(maxAbsDiff(evaluator.evaluate(off).predictions, naivePredict(model, layer, evaluator.channels, off, x))).toBeLessThan(TOLERANCE);
    }
  };

  it('takes the fast path into a conv consumer (plain CNN), from inputs or from the layer’s own output', async () => {
    const model = plainCnn(5);
    const x = randomInputs(37, [10, 10, 2], 51);
    const labels = Float32Array.from({ length: 37 }, (_, i) => i % 3);
    const before = tf.memory().numTensors;
    const fromInputs = await createMaskEvaluator(model, 'c1', { inputs: x, labels }, { batchSize: 10 });
    expect(fromInputs.path).toBe('linear-consumer');
    expect(fromInputs.outputSize).toBe(3);
    const masks = [[0], [1, 3], [0, 1, 2, 3, 4], [], [4]];
    check(fromInputs, model, model.getLayer('c1'), x, masks);
    const p = fromInputs.evaluate([1, 3]).predictions;
    expect(fromInputs.evaluate([3, 1]).metric).toBe(categoricalAccuracy().compute(naivePredict(model, model.getLayer('c1'), 5, [1, 3], x), labels, 3));
    expect(p.length).toBe(37 * 3);
    const c1 = tfl.model({ inputs: model.inputs, outputs: model.getLayer('c1').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
    const fromFeatures = await createMaskEvaluator(model, 'c1', { features: { layer: 'c1', values: c1 }, labels }, { batchSize: 8 });
    check(fromFeatures, model, model.getLayer('c1'), x, masks);
    fromInputs.dispose();
    fromFeatures.dispose();
    c1.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('prunes both sources of a residual Add, on the upstream path (a consumer feeds the coupled source); refuses features past the consumers', async () => {
    const model = residualModel(6);
    const x = randomInputs(25, [8, 8, 3], 61);
    const labels = randomLabels(25, 62);
    const before = tf.memory().numTensors;
    const evaluator = await createMaskEvaluator(model, 'b', { inputs: x, labels }, { batchSize: 7 });
    expect(evaluator.path).toBe('upstream');
    check(evaluator, model, [model.getLayer('stem'), model.getLayer('b')], x, [[0], [1, 2], [0, 1, 2], []]);
    evaluator.dispose();
    // Features of 'b' come after consumer 'a' (a reads the stem): they change with the mask, so they cannot be fed.
    const b = tfl.model({ inputs: model.inputs, outputs: model.getLayer('b').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
    await expect(createMaskEvaluator(model, 'b', { features: { layer: 'b', values: b }, labels })).rejects.toThrow(/features of 'b' do not determine model input 0/);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
