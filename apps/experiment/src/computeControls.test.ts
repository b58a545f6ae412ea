import * as tf from '@tensorflow/tfjs-core';
import { createMaskEvaluator, evaluatePrunedSets, rankChannels, scoreChannels, spearmanCorrelation, sweepChannels } from '@prune/core';
import { makePairs, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import type { CriterionResult } from '@prune/report';
import { createSiameseModel } from '@prune/siamese';
import { describe, expect, it } from 'vitest';
import { compareCurves } from './compareCurves.js';
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
    const evaluator = await createMaskEvaluator(model, 'conv2', data, { batchSize: 60 });
    const controls = await computeControls({ model, layer: 'conv2', evaluator, labels: test.labels, curves, correlateWith: 'mean', rankedOn: 'test', seed: 42, randomOrders: 2, oracle: true });
    const compared = await compareCurves({ model, layer: 'conv2', evaluator, compare: ['l1', 'mean'], asked: [curves[1]!], calibration: test, rankedOn: 'test', other: { pairs: test, rankedOn: 'train' }, seed: 42 });
    evaluator.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // Comparison curves: each equals sweepChannels of its own order; 'mean' is asked, so only ranked on the other split.
    expect(compared.map((c) => [c.criterion, c.rankedOn, c.role])).toEqual([['l1', 'test', 'comparison'], ['mean', 'train', 'comparison']]);
    expect(compared[0]!.order).toEqual(curves[0]!.order);
    for (const c of compared) {
      const swept = await sweepChannels(model, 'conv2', c.order, data, { batchSize: 60 });
      expect(c.accuracy).toEqual([swept.baseline, ...swept.points.map((p) => p.metric)]);
      expect(c.interval.lower.every((l, k) => l <= c.accuracy[k]! && c.accuracy[k]! <= c.interval.upper[k]!)).toBe(true);
    }

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
