import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ZOO } from '@prune/test-zoo';
import { describe, expect, it } from 'vitest';
import { l1NormImportance } from '../criteria/filterNormCriteria';
import { scoreChannels } from '../criteria/importance';
import { rankChannels } from '../criteria/rankChannels';
import { categoricalAccuracy } from '../evaluation/metrics';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskWeakest } from '../masks/channelMask';
import { ratiosFromSensitivity, sensitivityAnalysis, type SensitivityResult } from './sensitivityAnalysis';

function accuracy(model: LayersModel, inputs: tf.Tensor[], labels: Float32Array): number {
  const out = model.predict(inputs[0]!) as tf.Tensor;
  const value = categoricalAccuracy().compute(out.dataSync() as Float32Array, labels, out.shape[1]!);
  out.dispose();
  return value;
}

describe('sensitivityAnalysis', () => {
  it('gives, per group and ratio, the metric of that group pruned alone (as masked copies of the model give)', async () => {
    const model = ZOO.resnet.build({ seed: 4 });
    const inputs = ZOO.resnet.randomInputs(40, 5);
    const units = ZOO.resnet.outputUnits();
    // Labels = the unpruned model's own argmax, so the baseline is 1 and pruning can only lower it.
    const own = tf.tidy(() => tf.argMax(model.predict(inputs[0]!) as tf.Tensor, -1).dataSync());
    const labels = Float32Array.from(own);
    const data = { inputs, labels };
    const before = tf.memory().numTensors;
    const progress: string[] = [];
    const result = await sensitivityAnalysis(model, data, { ratios: [0.75, 0.25, 0.5], batchSize: 16, onProgress: (_d, _t, g) => progress.push(g) });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.baseline).toBe(1);
    expect(result.metricName).toBe('accuracy');
    expect(result.groups.length).toBeGreaterThan(3);
    expect(progress).toEqual(result.groups.map((g) => g.group));
    for (const g of result.groups) {
      expect(g.points.map((p) => p.ratio)).toEqual([0.25, 0.5, 0.75]);
      const order = rankChannels(await scoreChannels(l1NormImportance(), { model, layer: g.group }));
      for (const p of g.points) {
        expect(p.pruned).toBe(Math.min(g.channels - 1, Math.floor(p.ratio * g.channels)));
        const masked = await applyChannelMask(model, maskWeakest(g.group, order, p.pruned));
        expect(p.metric).toBe(accuracy(masked, inputs, labels));
        masked.dispose();
      }
    }
    expect(result.groups.some((g) => g.points.some((p) => p.metric < 1))).toBe(true); // pruning did cost something
    expect(units).toBeGreaterThan(1);
    tf.dispose(inputs);
    model.dispose();
  });

  it('names bad ratios and layers that cannot be pruned', async () => {
    const model = ZOO.gapHead.build();
    const inputs = ZOO.gapHead.randomInputs(4, 1);
    const data = { inputs, labels: [0, 1, 2, 3] };
    await expect(sensitivityAnalysis(model, data, { ratios: [0, 0.5] })).rejects.toThrow(/options.ratios holds 0; each ratio must be in \(0, 1\)/);
    await expect(sensitivityAnalysis(model, data, { ratios: [] })).rejects.toThrow(/non-empty list/);
    await expect(sensitivityAnalysis(model, { inputs })).rejects.toThrow(/sensitivityAnalysis: data.labels is needed for the default metric \(accuracy\); give labels or options.metric/);
    const head = model.layers[model.layers.length - 1]!.name;
    await expect(sensitivityAnalysis(model, data, { layers: [head] })).rejects.toThrow(new RegExp(`names '${head}', whose channels cannot be pruned: .*its activation 'softmax' mixes channels`));
    tf.dispose(inputs);
    model.dispose();
  });
});

describe('ratiosFromSensitivity', () => {
  it('takes the largest ratio up to which every point stays within maxDrop of the baseline', () => {
    const result: SensitivityResult = {
      metricName: 'accuracy',
      baseline: 0.9,
      criterion: 'l1-norm',
      refused: [],
      groups: [
        { group: 'a', channels: 8, path: 'linear-consumer', points: [{ ratio: 0.25, pruned: 2, metric: 0.9 }, { ratio: 0.5, pruned: 4, metric: 0.89 }, { ratio: 0.75, pruned: 6, metric: 0.7 }] },
        { group: 'b', channels: 8, path: 'upstream', points: [{ ratio: 0.25, pruned: 2, metric: 0.8 }, { ratio: 0.5, pruned: 4, metric: 0.9 }] },
        { group: 'c', channels: 8, path: 'upstream', points: [{ ratio: 0.25, pruned: 2, metric: 0.9 }, { ratio: 0.5, pruned: 4, metric: 0.9 }] },
      ],
    };
    expect(ratiosFromSensitivity(result, { maxDrop: 0.02 })).toEqual({ a: 0.5, b: 0, c: 0.5 });
    expect(ratiosFromSensitivity(result, { maxDrop: 0 })).toEqual({ a: 0.25, b: 0, c: 0.5 });
    expect(() => ratiosFromSensitivity(result, { maxDrop: -1 })).toThrow(/maxDrop must be a number ≥ 0, got -1/);
  });
});
