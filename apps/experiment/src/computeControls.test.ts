import * as tf from '@tensorflow/tfjs-core';
import { evaluatePrunedSets, rankChannels, scoreChannels, spearmanCorrelation, sweepChannels } from '@prune/core';
import { loadMnist, makePairs, subsetSplit } from '@prune/mnist-pairs';
import type { CriterionResult } from '@prune/report';
import { createSiameseModel } from '@prune/siamese';
import { describe, expect, it } from 'vitest';
import { computeControls } from './computeControls.js';
import { criterionByName } from './criterionByName.js';
import { pairTensors } from './pairTensors.js';

describe('computeControls', () => {
  it('sweeps random orders, the greedy oracle and the rank correlations on real MNIST pairs, as independent paths give them', async () => {
    const mnist = await loadMnist({ source: { kind: 'embedded' } });
    const test = pairTensors(makePairs(subsetSplit(mnist.test, 0.02, 3), 120, 4));
    const model = createSiameseModel({ seed: 5 });
    const data = { inputs: test.inputs, labels: test.labels };
    const curve = async (name: string): Promise<CriterionResult> => {
      const scores = await scoreChannels(criterionByName(name, 1), { model, layer: 'conv2', data, batchSize: 60 });
      const interval = { level: 0.95, method: 'wilson', lower: [], upper: [] };
      return { criterion: name, rankedOn: 'test', role: 'comparison', scores: Array.from(scores), order: Array.from(rankChannels(scores)), accuracy: [], interval, fineTune: [] };
    };
    // Correlated with mean activation here: an untrained model's single-channel ablations all tie.
    const curves = [await curve('l1'), await curve('mean'), await curve('ablation')];
    const before = tf.memory().numTensors;
    const controls = await computeControls({ model, layer: 'conv2', test, curves, correlateWith: 'mean', rankedOn: 'test', seed: 42, randomOrders: 2, oracle: true, batchSize: 60 });
    expect(tf.memory().numTensors).toBe(before);

    const random = controls.random!;
    expect(random.orders).toHaveLength(2);
    expect(random.orders[0]).not.toEqual(random.orders[1]);
    const reference = await sweepChannels(model, 'conv2', random.orders[1]!, data, { batchSize: 60 });
    expect(random.accuracy[1]).toEqual([reference.baseline, ...reference.points.map((p) => p.metric)]);

    // The oracle's first step: no single channel's removal gives a better accuracy than the one it chose.
    const oracle = controls.oracle!;
    const singles = await evaluatePrunedSets(model, 'conv2', data, Array.from({ length: 32 }, (_, c) => [c]));
    expect(oracle.accuracy[1]).toBe(Math.max(...singles.metrics));
    expect(singles.metrics[oracle.order[0]!]).toBe(oracle.accuracy[1]);
    expect(oracle.evaluations).toBe((32 * 33) / 2 - 1);
    const k20 = await evaluatePrunedSets(model, 'conv2', data, [oracle.order.slice(0, 20)]);
    expect(oracle.accuracy[20]).toBe(k20.metrics[0]);

    expect(controls.rankCorrelation).toEqual({
      reference: 'mean',
      values: [
        { criterion: 'l1', rankedOn: 'test', rho: spearmanCorrelation(curves[0]!.scores, curves[1]!.scores) },
        { criterion: 'ablation', rankedOn: 'test', rho: null }, // constant scores: no correlation defined
      ],
    });
    expect(controls.rankCorrelation!.values[0]!.rho).not.toBeNull();
    test.dispose();
    model.dispose();
  });
});
