import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { collectActivationStats, resolveLayer } from '@prune/activations';
import {
  applyChannelMask,
  maskChannels,
  scoreChannels,
  sweepChannels,
} from '@prune/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCriteria } from './compareCriteria';
import {
  activationStdImportance,
  biasMagnitudeImportance,
  sweepWithCustomCriterion,
} from './customCriterion';
import { digitClassifier } from './digitClassifier';
import { accuracy, rankAndMask } from './rankAndMask';
import { pruneAndSave } from './surgery';
import { sweepConv2 } from './sweep';

let model: LayersModel;
let test: Awaited<ReturnType<typeof digitClassifier>>['test'];
const count = 500;

beforeAll(async () => {
  ({ model, test } = await digitClassifier());
});

afterAll(() => {
  model?.dispose();
  if (test) tf.dispose(test.inputs);
});

/**
 * Runs an example and checks that it leaves no tensor behind (beyond what it returns on
 * purpose).
 */
async function noLeak<T>(run: () => Promise<T>, kept = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await run();
  expect(tf.memory().numTensors).toBe(before + kept);
  return result;
}

const conv2Kernel = (m: LayersModel) =>
  resolveLayer(m, 'conv2').getWeights()[0]!.arraySync() as number[][][][];

describe('core guide examples', () => {
  it('digitClassifier: one epoch on 2000 images learns the digits', () => {
    expect(test.inputs.shape).toEqual([count, 28, 28, 1]);
    expect(accuracy(model, test)).toBeGreaterThan(0.7);
  });

  it('rankAndMask: ranks by mean activation, masks the 4 weakest on a copy', async () => {
    const kernelBefore = conv2Kernel(model);
    const { scores, order, mask, before, after } = await noLeak(() =>
      rankAndMask(model, test, 4),
    );
    expect(scores).toHaveLength(16);
    expect([...order].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 16 }, (_, c) => c),
    );
    for (let i = 1; i < 16; i++)
      expect(scores[order[i]!]!).toBeGreaterThanOrEqual(scores[order[i - 1]!]!);
    expect(mask).toEqual({
      layer: 'conv2',
      channels: 16,
      pruned: [...order.slice(0, 4)].sort((a, b) => a - b),
    });
    // The accuracies agree with the fast sweep's, an independent path (no copy of the
    // model).
    const sweep = await sweepChannels(model, 'conv2', order, test, { ks: [4] });
    expect(before).toBe(sweep.baseline);
    expect(Math.abs(after - sweep.points[0]!.metric)).toBeLessThanOrEqual(1 / count);
    // The original model is untouched.
    expect(conv2Kernel(model)).toEqual(kernelBefore);
  });

  it('sweepConv2: the fast sweep covers K = 1 … 15 and matches the naive sweep', async () => {
    const { fast, naive } = await noLeak(() => sweepConv2(model, test));
    expect(fast.path).toBe('linear-consumer');
    expect(fast.points.map((p) => p.k)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect(naive.points.map((p) => p.k)).toEqual([1, 8, 15]);
    for (const point of naive.points) {
      const same = fast.points.find((p) => p.k === point.k)!;
      // float32 sums in another order may flip an arg-max that is a near tie: allow one
      // example in 500.
      expect(Math.abs(same.metric - point.metric)).toBeLessThanOrEqual(1 / count);
    }
    expect(fast.baseline).toBe(naive.baseline);
    // one channel left out of 16 hurts
    expect(fast.points.at(-1)!.metric).toBeLessThan(fast.baseline);
  });

  it('pruneAndSave: the saved smaller model equals the masked one and the counts drop by hand-computed amounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-docs-surgery-'));
    try {
      const mask = maskChannels('conv2', 16, [0, 3, 5, 9]);
      const input = test.inputs; // a batch of 500 images
      const { loaded, params, macs } = await pruneAndSave(model, mask, dir, input);
      const masked = await applyChannelMask(model, mask);
      const a = masked.predict(test.inputs) as tf.Tensor;
      const b = loaded.predict(test.inputs) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
      expect(resolveLayer(loaded, 'conv2').getWeights()[0]!.shape).toEqual([
        3, 3, 8, 12,
      ]);
      // 4 channels × (3·3·8 kernel + 1 bias) in conv2, and 4 × 7·7 rows × 10 units of
      // the Dense.
      expect(params.before - params.after).toBe(4 * (3 * 3 * 8 + 1) + 4 * 49 * 10);
      // 4 channels × 14·14 positions × 3·3·8 in conv2, and 4 × 49 × 10 in the Dense.
      expect(macs.before - macs.after).toBe(4 * 14 * 14 * 3 * 3 * 8 + 4 * 49 * 10);
      tf.dispose([a, b]);
      masked.dispose();
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('activationStdImportance: scores are the std of conv2 output, and data is required', async () => {
    const { scores, sweep } = await noLeak(() => sweepWithCustomCriterion(model, test));
    const batches = [tf.clone(test.inputs)];
    const stats = await collectActivationStats(model, batches, {
      layers: ['conv2'],
      disposeInputs: true,
    });
    expect([...scores]).toEqual([...stats.conv2!.std]);
    expect(sweep.points.map((p) => p.k)).toEqual([4, 8, 12]);
    await expect(
      scoreChannels(activationStdImportance(), { model, layer: 'conv2' }),
    ).rejects.toThrow(/activation-std.*conv2.*needs activation statistics/);
  });

  it("biasMagnitudeImportance: reads the weights of the group's source, conv2", async () => {
    const scores = await noLeak(() =>
      scoreChannels(biasMagnitudeImportance(), { model, layer: 'conv2' }),
    );
    const bias = resolveLayer(model, 'conv2').getWeights()[1]!.arraySync() as number[];
    expect([...scores]).toEqual(bias.map(Math.abs));
    // a trained bias: the scores tell channels apart
    expect(new Set(scores).size).toBeGreaterThan(1);
  });

  it('compareCriteria: ablation is the best possible choice at K = 1 on the data it ranked on', async () => {
    const rows = await noLeak(() => compareCriteria(model, test, [1, 4, 8]));
    expect(rows.map((r) => r.criterion)).toEqual([
      'mean-activation',
      'mean-abs-activation',
      'apoz',
      'l1-norm',
      'l2-norm',
      'taylor',
      'ablation',
      'random(seed=7)',
    ]);
    const ablation = rows.find((r) => r.criterion === 'ablation')!;
    for (const row of rows) {
      expect(row.accuracy).toHaveLength(3);
      expect(row.baseline).toBe(ablation.baseline);
      expect(ablation.accuracy[0]!).toBeGreaterThanOrEqual(row.accuracy[0]! - 1e-12);
    }
  });
});
