import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { NUM_CLASSES, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import {
  applyChannelMask,
  categoricalAccuracy,
  maskWeakest,
  rankChannels,
} from '@prune/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digitClassifier, digitData } from './digitClassifier';
import { previewPrune, pruneBySensitivity, pruneInSteps } from './wholeModel';

let model: LayersModel;
let test: Awaited<ReturnType<typeof digitClassifier>>['test'];

beforeAll(async () => {
  ({ model, test } = await digitClassifier());
});

afterAll(() => {
  model?.dispose();
  if (test) tf.dispose(test.inputs);
});

function accuracyOf(m: LayersModel): number {
  const out = m.predict(test.inputs) as tf.Tensor;
  const value = categoricalAccuracy().compute(
    out.dataSync() as Float32Array,
    test.labels as ArrayLike<number>,
    NUM_CLASSES,
  );
  out.dispose();
  return value;
}

const filtersOf = (m: LayersModel, name: string) =>
  (m.getLayer(name).getConfig() as { filters: number }).filters;

describe('whole-model pruning guide examples', () => {
  it('previewPrune: 30% of all conv channels by one global L1 ranking, the softmax head left alone', async () => {
    const plan = await previewPrune(model);
    expect(plan.groups.map((g) => [g.group, g.channels])).toEqual([
      ['conv1', 8],
      ['conv2', 16],
    ]);
    expect(plan.groups.reduce((n, g) => n + g.pruned.length, 0)).toBe(
      Math.floor(0.3 * 24),
    ); // 7 of 24
    expect(plan.refused.map((r) => r.layer)).toEqual(['classes']);
    expect(filtersOf(model, 'conv2')).toBe(16); // a dry run changes nothing
  });

  it('pruneInSteps: two steps to 30%, each fine-tuned, ends with the reported widths and a working model', async () => {
    const mnist = await loadMnist();
    const trainSplit = subsetSplit(mnist.train, 1000 / 60000, 5);
    const train = digitData(trainSplit);
    const y = tf.oneHot(tf.tensor1d(trainSplit.labels, 'int32'), NUM_CLASSES);
    const result = await pruneInSteps(model, test, { x: train.inputs, y });
    expect(result.steps).toHaveLength(2);
    const widths = result.report.groups.map((g) => [g.group, g.channels.after]);
    expect(widths).toEqual([
      ['conv1', filtersOf(result.model, 'conv1')],
      ['conv2', filtersOf(result.model, 'conv2')],
    ]);
    for (const [, w] of widths) expect((w as number) % 2).toBe(0); // roundTo 2
    expect(result.report.totals.params.after).toBe(result.model.countParams());
    // fine-tuned, still a digit classifier
    expect(accuracyOf(result.model)).toBeGreaterThan(0.5);
    result.model.dispose();
    tf.dispose([train.inputs, y]);
  });

  it('pruneBySensitivity: each point equals a masked copy; the chosen ratios cost at most 2 points each', async () => {
    const { sensitivity, result } = await pruneBySensitivity(model, test);
    expect(sensitivity.baseline).toBe(accuracyOf(model));
    const conv2 = sensitivity.groups.find((g) => g.group === 'conv2')!;
    const { l1NormImportance, scoreChannels } = await import('@prune/core');
    const order = rankChannels(
      await scoreChannels(l1NormImportance(), { model, layer: 'conv2' }),
    );
    for (const p of conv2.points) {
      const masked = await applyChannelMask(
        model,
        maskWeakest('conv2', order, p.pruned),
      );
      expect(p.metric).toBe(accuracyOf(masked));
      masked.dispose();
    }
    for (const g of result.steps[0]!.plan.groups) {
      const point = sensitivity.groups
        .find((s) => s.group === g.group)!
        .points.find((p) => p.pruned === g.pruned.length);
      if (g.pruned.length > 0)
        expect(point!.metric).toBeGreaterThanOrEqual(sensitivity.baseline - 0.02);
    }
    result.model.dispose();
  });
});
