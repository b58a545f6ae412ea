import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskChannels } from '../masks/channelMask';
import { createMaskEvaluator } from './createMaskEvaluator';
import { greedyOracle } from './greedyOracle';
import { binaryAccuracy } from './metrics';
import { sweepChannels } from './sweepChannels';
import { sweepOrders } from './sweepOrders';
import { randomInputs, randomLabels, smallSiamese } from '../test-utils/testModels';

/** Mean log loss of probabilities against 0/1 labels. */
const logLoss = (p: Float32Array, labels: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < p.length; i++) s -= labels[i]! ? Math.log(Math.max(p[i]!, 1e-7)) : Math.log(Math.max(1 - p[i]!, 1e-7));
  return s / p.length;
};

describe('greedyOracle and sweepOrders on one mask evaluator', () => {
  const model = smallSiamese({ seed: 4, filters: 6 });
  const left = randomInputs(40, [12, 12, 1], 201);
  const right = randomInputs(40, [12, 12, 1], 202);
  const labels = randomLabels(40, 203);
  const data = { inputs: [left, right], labels };

  it('follows the greedy rule computed naively on masked copies of the model', async () => {
    const predictNaive = async (set: number[]): Promise<Float32Array> => {
      const copy = await applyChannelMask(model, maskChannels('conv2', 6, set));
      const out = copy.predict([left, right]) as tf.Tensor;
      const values = out.dataSync() as Float32Array;
      out.dispose();
      copy.dispose();
      return values;
    };
    // The naive greedy: the same rule (best accuracy, then lowest loss, then lowest index) on whole-model copies.
    const removed: number[] = [];
    const naiveMetrics = [binaryAccuracy().compute(await predictNaive([]), labels, 1)];
    for (let k = 1; k < 6; k++) {
      let best: { c: number; acc: number; loss: number } | null = null;
      for (let c = 0; c < 6; c++) {
        if (removed.includes(c)) continue;
        const p = await predictNaive([...removed, c]);
        const acc = binaryAccuracy().compute(p, labels, 1);
        const loss = logLoss(p, labels);
        if (!best || acc > best.acc || (acc === best.acc && loss < best.loss - 1e-6)) best = { c, acc, loss };
      }
      removed.push(best!.c);
      naiveMetrics.push(best!.acc);
    }

    const before = tf.memory().numTensors;
    const evaluator = await createMaskEvaluator(model, 'conv2', data, { batchSize: 16 });
    const result = greedyOracle(evaluator, { tieBreak: (p) => -logLoss(p, labels) });
    evaluator.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.order.slice(0, 5)).toEqual(removed);
    expect([...result.order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.metrics).toEqual(naiveMetrics);
    expect(result.evaluations).toBe((6 * 7) / 2 - 1);
  });

  it('sweeps each order exactly as sweepChannels does, and checks the orders', async () => {
    const orders = [[3, 1, 4, 0, 5, 2], [0, 1, 2, 3, 4, 5]];
    const evaluator = await createMaskEvaluator(model, 'conv2', data, { batchSize: 16 });
    const swept = sweepOrders(evaluator, orders);
    for (const [i, order] of orders.entries()) {
      const reference = await sweepChannels(model, 'conv2', order, data, { batchSize: 16 });
      expect(swept[i]).toEqual([reference.baseline, ...reference.points.map((p) => p.metric)]);
    }
    expect(() => sweepOrders(evaluator, [[0, 1, 2]])).toThrow(/order 0 has 3 entries but layer 'encoder\/conv2' has 6 channels/);
    expect(() => sweepOrders(evaluator, [[0, 0, 1, 2, 3, 4]])).toThrow(/not a permutation/);
    evaluator.dispose();
  });
});
