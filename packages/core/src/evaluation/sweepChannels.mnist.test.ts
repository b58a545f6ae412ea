import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { makePairs, pairImages, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel, trainSiamese } from '@prune/siamese';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ablationImportance } from '../criteria/ablationImportance';
import { meanActivationImportance } from '../criteria/activationCriteria';
import { taylorImportance } from '../criteria/taylorImportance';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskChannels } from '../masks/channelMask';
import { scoreChannels } from '../criteria/importance';
import { binaryAccuracy } from './metrics';
import { naiveSweep } from './naiveSweep';
import { rankChannels } from '../criteria/rankChannels';
import { sweepChannels } from './sweepChannels';
import type { SweepResult } from './sweepTypes';
import { withoutKernelLeakCheck } from '../test-utils/withoutKernelLeakCheck';

const TOLERANCE = 1e-4;

/** Probabilities within TOLERANCE, and the same decision (p ≥ 0.5) except where p is within TOLERANCE of 0.5. */
function expectSameDecisions(fast: Float32Array, naive: Float32Array): void {
  expect(fast.length).toBe(naive.length);
  let worst = 0;
  let decisionsCompared = 0;
  for (let i = 0; i < fast.length; i++) {
    const a = fast[i]!;
    const b = naive[i]!;
    worst = Math.max(worst, Math.abs(a - b));
    if (Math.abs(b - 0.5) >= TOLERANCE) {
      decisionsCompared++;
      expect(a >= 0.5).toBe(b >= 0.5);
    }
  }
  expect(worst).toBeLessThan(TOLERANCE);
  // Outputs that collapse to the head's constant (near 0.5) at high K are exempt; most decisions are compared.
  expect(decisionsCompared).toBeGreaterThan(fast.length * 0.9);
}

function expectSameSweep(fast: SweepResult, naive: SweepResult): void {
  expect(fast.points.map((p) => p.k)).toEqual(naive.points.map((p) => p.k));
  expectSameDecisions(fast.baselinePredictions!, naive.baselinePredictions!);
  fast.predictions!.forEach((p, i) => expectSameDecisions(p, naive.predictions![i]!));
}

describe('sweepChannels on MNIST pairs with the Siamese model', () => {
  let model: LayersModel;
  let pairs: PairSet;
  let left: tf.Tensor4D;
  let right: tf.Tensor4D;

  beforeAll(async () => {
    const mnist = await loadMnist();
    const train = makePairs(subsetSplit(mnist.train, 0.1, 42), 1000, 42);
    pairs = makePairs(subsetSplit(mnist.test, 0.1, 42), 2000, 42);
    model = createSiameseModel({ seed: 7 });
    // Briefly: enough for accuracy well above chance (0.5 ± 0.011 on 2000 pairs).
    await withoutKernelLeakCheck(() => trainSiamese(model, train, { epochs: 1, seed: 7 }));
    const images = pairImages(pairs);
    left = tf.tensor4d(images.left, [pairs.count, 28, 28, 1]);
    right = tf.tensor4d(images.right, [pairs.count, 28, 28, 1]);
  });
  afterAll(() => {
    tf.dispose([left, right]);
    model.dispose();
  });

  it('gives the naive path’s predictions for the lab’s layer and criterion (2000 test pairs, the lab’s Ks)', async () => {
    const data = { inputs: [left, right], labels: pairs.labels };
    const order = rankChannels(await scoreChannels(meanActivationImportance(), { model, layer: 'conv2', data }));
    const ks = [1, 4, 8, 16, 24, 28, 31];
    const before = tf.memory().numTensors;
    const fast = await sweepChannels(model, 'conv2', order, data, { ks, keepPredictions: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(fast.path).toBe('linear-consumer');
    expect(fast.layer).toBe('encoder/conv2');
    const naive = await naiveSweep(model, 'conv2', order, data, { ks, keepPredictions: true });
    expectSameSweep(fast, naive);
    expect(fast.baseline).toBeGreaterThan(0.6);
    fast.points.forEach((p, i) => expect(Math.abs(p.metric - naive.points[i]!.metric)).toBeLessThanOrEqual(1 / pairs.count));
    // Pruning every channel but one hurts: the curve is not flat, so the comparison covers real changes.
    expect(fast.points[fast.points.length - 1]!.metric).toBeLessThan(fast.baseline - 0.02);
    expect(new Set(fast.points.map((p) => p.metric)).size).toBeGreaterThan(3);
  });

  it('matches the naive path at every K = 1 … 31 (first 400 pairs), and on the upstream path too', async () => {
    const n = 400;
    const data = { inputs: [tf.slice(left, 0, n), tf.slice(right, 0, n)], labels: pairs.labels.subarray(0, n) };
    const order = rankChannels(await scoreChannels(meanActivationImportance(), { model, layer: 'conv2', data }));
    const fast = await sweepChannels(model, 'conv2', order, data, { keepPredictions: true, batchSize: 150 });
    const upstream = await sweepChannels(model, 'conv2', order, data, { keepPredictions: true, path: 'upstream' });
    expect(upstream.path).toBe('upstream');
    const naive = await naiveSweep(model, 'conv2', order, data, { keepPredictions: true });
    expect(fast.points.map((p) => p.k)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expectSameSweep(fast, naive);
    expectSameSweep(upstream, naive);
    tf.dispose(data.inputs);
  });

  it('scores channels by Taylor and by ablation on real pairs; ablation equals masked copies', async () => {
    const n = 300;
    const data = { inputs: [tf.slice(left, 0, n), tf.slice(right, 0, n)], labels: pairs.labels.subarray(0, n) };
    const before = tf.memory();
    const taylor = await withoutKernelLeakCheck(() => scoreChannels(taylorImportance(), { model, layer: 'conv2', data, batchSize: 100 }));
    const ablation = await scoreChannels(ablationImportance(), { model, layer: 'conv2', data });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
    expect(taylor.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(new Set(taylor).size).toBe(32);
    const accuracy = (m: LayersModel) => {
      const p = m.predict(data.inputs) as tf.Tensor;
      const v = binaryAccuracy().compute(p.dataSync() as Float32Array, data.labels, 1);
      p.dispose();
      return v;
    };
    const baseline = accuracy(model);
    for (const c of [0, 13, 31]) {
      const copy = await applyChannelMask(model, maskChannels('conv2', 32, [c]));
      expect(ablation[c]).toBeCloseTo(baseline - accuracy(copy), 10);
      copy.dispose();
    }
    tf.dispose(data.inputs);
  });
});
