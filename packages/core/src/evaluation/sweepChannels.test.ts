import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { categoricalAccuracy } from './metrics';
import { naiveSweep } from './naiveSweep';
import { sweepChannels } from './sweepChannels';
import { plainCnn, randomInputs, randomLabels, residualModel, smallSiamese } from '../test-utils/testModels';
import type { SweepProgress, SweepResult } from './sweepTypes';

function expectSamePredictions(fast: SweepResult, naive: SweepResult, tolerance: number): void {
  expect(fast.points.map((p) => p.k)).toEqual(naive.points.map((p) => p.k));
  const all = [[fast.baselinePredictions!, naive.baselinePredictions!], ...fast.predictions!.map((p, i) => [p, naive.predictions![i]!])];
  for (const [a, b] of all) {
    expect(a!.length).toBe(b!.length);
    let worst = 0;
    for (let i = 0; i < a!.length; i++) worst = Math.max(worst, Math.abs(a![i]! - b![i]!));
    expect(worst).toBeLessThan(tolerance);
  }
}

/** A seeded random permutation of 0 … n-1. */
function permutation(n: number, seed: number): number[] {
  const keys = tf.randomUniform([n], 0, 1, 'float32', seed);
  const v = Array.from(keys.dataSync());
  keys.dispose();
  return v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

describe('sweepChannels', () => {
  it('takes the fast path on a nested, shared encoder and matches the naive sweep (conv2, dense1, conv1)', async () => {
    const model = smallSiamese({ seed: 3 });
    const left = randomInputs(50, [12, 12, 1], 21);
    const right = randomInputs(50, [12, 12, 1], 22);
    const data = { inputs: [left, right], labels: randomLabels(50, 23) };
    const cases: Array<[string, number, string]> = [
      ['conv2', 6, 'encoder/dense1'],
      ['dense1', 16, 'encoder/embedding'],
      ['conv1', 4, 'encoder/conv2'],
    ];
    for (const [layer, channels, consumer] of cases) {
      const order = permutation(channels, channels);
      const before = tf.memory().numTensors;
      const fast = await sweepChannels(model, layer, order, data, { keepPredictions: true, batchSize: 16 });
      expect(tf.memory().numTensors).toBe(before);
      expect(fast.path).toBe('linear-consumer');
      expect(fast.note).toContain(consumer);
      const naive = await naiveSweep(model, layer, order, data, { keepPredictions: true });
      expectSamePredictions(fast, naive, 1e-5);
      expect(fast.points).toEqual(naive.points);
      expect(fast.baseline).toBe(naive.baseline);
    }
    tf.dispose([left, right]);
    model.dispose();
  });

  it('handles a Sequential CNN: conv consumer after fused relu + max-pool, and tanh → Flatten → Dense', async () => {
    const model = plainCnn(2);
    const x = randomInputs(30, [10, 10, 2], 31);
    const labels = Float32Array.from({ length: 30 }, (_, i) => i % 3);
    const data = { inputs: x, labels };
    for (const [layer, channels] of [['c1', 5], ['c2', 4]] as const) {
      const order = permutation(channels, 40 + channels);
      const fast = await sweepChannels(model, layer, order, data, { keepPredictions: true, batchSize: 7 });
      expect(fast.path).toBe('linear-consumer');
      const naive = await naiveSweep(model, layer, order, data, { keepPredictions: true });
      expectSamePredictions(fast, naive, 1e-5);
      expect(fast.metricName).toBe('accuracy');
      expect(fast.points).toEqual(naive.points);
      expect(fast.points[0]!.metric).toBe(categoricalAccuracy().compute(fast.predictions![0]!, labels, 3));
    }
    x.dispose();
    model.dispose();
  });

  it('takes the upstream path for a residual chain (a consumer feeds the coupled source) and says why; stays exact', async () => {
    const model = residualModel(3);
    const x = randomInputs(20, [8, 8, 3], 51);
    const data = { inputs: x, labels: randomLabels(20, 52) };
    const fastB = await sweepChannels(model, 'b', [2, 0, 1], data, { keepPredictions: true, batchSize: 8 });
    expect(fastB.path).toBe('upstream');
    expect(fastB.note).toMatch(/input of 'out' depends on another consumer of the group/);
    expectSamePredictions(fastB, await naiveSweep(model, 'b', [2, 0, 1], data, { keepPredictions: true }), 1e-5);
    // Layer 'a' feeds conv 'b' through its fused relu: the fast path applies with a Conv2D consumer.
    const fastA = await sweepChannels(model, 'a', [1, 2, 0], data, { keepPredictions: true });
    expect(fastA.path).toBe('linear-consumer');
    expectSamePredictions(fastA, await naiveSweep(model, 'a', [1, 2, 0], data, { keepPredictions: true }), 1e-5);
    // The upstream path can be forced and agrees too.
    const forced = await sweepChannels(model, 'a', [1, 2, 0], data, { keepPredictions: true, path: 'upstream' });
    expect(forced.path).toBe('upstream');
    expectSamePredictions(forced, fastA, 1e-5);
    x.dispose();
    model.dispose();
  });

  it('is exact for a layer whose activation is not 0 at 0 (sigmoid) and after BatchNormalization', async () => {
    const input = tfl.input({ shape: [6, 6, 1] });
    const c = tfl.layers.conv2d({ name: 'c', filters: 4, kernelSize: 3, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization({ name: 'bn', gammaInitializer: tfl.initializers.constant({ value: 1.5 }), betaInitializer: tfl.initializers.constant({ value: 0.3 }) }).apply(c) as tfl.SymbolicTensor;
    const f = tfl.layers.flatten().apply(bn) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(f) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const x = randomInputs(12, [6, 6, 1], 61);
    const data = { inputs: x, labels: randomLabels(12, 62) };
    const fast = await sweepChannels(model, 'c', [3, 1, 0, 2], data, { keepPredictions: true });
    // Pruned channels are never read again, so what sigmoid and BN do to them does not matter: the fast path is exact.
    expect(fast.path).toBe('linear-consumer');
    expectSamePredictions(fast, await naiveSweep(model, 'c', [3, 1, 0, 2], data, { keepPredictions: true }), 1e-5);
    x.dispose();
    model.dispose();
  });

  it('works with a nested Sequential applied twice and with the layer feeding a model output directly', async () => {
    const g = (seed: number) => tfl.initializers.glorotUniform({ seed });
    const tower = tfl.sequential({ name: 'tower' });
    tower.add(tfl.layers.conv2d({ name: 'tc', inputShape: [6, 6, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: g(1), biasInitializer: tfl.initializers.constant({ value: 0.05 }) }));
    tower.add(tfl.layers.globalAveragePooling2d({ name: 'gap' }));
    tower.add(tfl.layers.dense({ name: 'td', units: 3, kernelInitializer: g(2) }));
    const a = tfl.input({ shape: [6, 6, 1] });
    const b = tfl.input({ shape: [6, 6, 1] });
    const za = tower.apply(a) as tfl.SymbolicTensor;
    const zb = tower.apply(b) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([za, zb]) as tfl.SymbolicTensor;
    const p = tfl.layers.dense({ name: 'p', units: 1, activation: 'sigmoid', kernelInitializer: g(3) }).apply(joined) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [a, b], outputs: [p, za] });
    const xa = randomInputs(15, [6, 6, 1], 91);
    const xb = randomInputs(15, [6, 6, 1], 92);
    const data = { inputs: [xa, xb], labels: randomLabels(15, 93) };
    const fast = await sweepChannels(model, 'tower/tc', [2, 0, 3, 1], data, { keepPredictions: true });
    expect(fast.path).toBe('linear-consumer');
    expect(fast.note).toContain('tower/td');
    expectSamePredictions(fast, await naiveSweep(model, 'tc', [2, 0, 3, 1], data, { keepPredictions: true }), 1e-5);
    // Output 1 is za itself, the Dense 'td' output: no pruned model can keep its shape, so the sweep refuses.
    await expect(sweepChannels(model, 'td', [1, 0, 2], data, { output: 1 })).rejects.toThrow(/they reach output 1 of model/);
    tf.dispose([xa, xb]);
    model.dispose();
  });

  it('evaluates only the requested Ks, reports progress per K, and rejects bad input', async () => {
    const model = smallSiamese();
    const left = randomInputs(10, [12, 12, 1], 71);
    const data = { inputs: [left, left], labels: randomLabels(10, 72) };
    const events: SweepProgress[] = [];
    const r = await sweepChannels(model, 'conv2', [0, 1, 2, 3, 4, 5], data, { ks: [4, 2], batchSize: 6, onProgress: (p) => events.push(p) });
    expect(r.points.map((p) => p.k)).toEqual([2, 4]);
    // Largest K first (each next K adds a channel back); metrics arrive with the last batch.
    expect(events.map((e) => e.k)).toEqual([4, 2, 0, 4, 2, 0]);
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.slice(0, 3).every((e) => e.metric === undefined)).toBe(true);
    expect(events.slice(3).map((e) => e.metric)).toEqual([r.points[1]!.metric, r.points[0]!.metric, r.baseline]);
    await expect(sweepChannels(model, 'conv2', [0, 1, 2, 3, 4, 5], data, { ks: [6] })).rejects.toThrow(/K = 6 for layer 'encoder\/conv2' is outside 0 … 5/);
    await expect(sweepChannels(model, 'pool2', [0], data)).rejects.toThrow(/'encoder\/pool2' \(MaxPooling2D\) has no prunable output channels/);
    await expect(sweepChannels(model, 'conv7', [0], data)).rejects.toThrow(/no layer 'conv7'/);
    await expect(sweepChannels(model, 'conv2', [0, 1, 2], data)).rejects.toThrow(/order has 3 entries/);
    left.dispose();
    model.dispose();
  });
});
