import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelStats } from '@prune/activations';
import { describe, expect, it } from 'vitest';
import { scoreChannels, type ImportanceCriterion } from './importance';
import { smallSiamese } from '../test-utils/testModels';
import { apozImportance, meanAbsActivationImportance, meanActivationImportance } from './activationCriteria';
import { l1NormImportance, l2NormImportance } from './filterNormCriteria';
import { randomImportance } from './randomImportance';

/** A Conv2D 1→3 (2×2 kernel) whose kernel is set by hand: filter c holds the values below. */
function handConv(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ name: 'conv', inputShape: [4, 4, 1], filters: 3, kernelSize: 2 }));
  const filters = [
    [1, -2, 3, -4], // L1 10, L2 √30
    [0, 0, 0, 0.5], // L1 0.5, L2 0.5
    [-1, -1, -1, -1], // L1 4, L2 2
  ];
  // kernel [2,2,1,3]: element (p, c) at p*3 + c.
  const kernel = new Float32Array(12);
  filters.forEach((f, c) => f.forEach((v, p) => (kernel[p * 3 + c] = v)));
  m.layers[0]!.setWeights([tf.tensor4d(kernel, [2, 2, 1, 3]), tf.tensor1d([100, -100, 7])]);
  // A consumer, so the conv's channels form a prunable group (they may not be the model's output).
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 1 }));
  return m;
}

function fakeStats(layer: string, channels: number, values: Partial<ChannelStats>): ChannelStats {
  const z = () => new Float64Array(channels);
  return {
    layer, channels, images: 10, positions: 4, values: 40,
    mean: z(), meanAbs: z(), apoz: z(), variance: z(), std: z(), min: z(), max: z(),
    meanMap: new Float64Array(channels * 4), mapShape: [channels, 2, 2],
    ...values,
  };
}

describe('filter-norm criteria', () => {
  it('L1 and L2 of each filter, by hand, ignoring the bias', async () => {
    const model = handConv();
    const l1 = await scoreChannels(l1NormImportance(), { model, layer: 'conv' });
    const l2 = await scoreChannels(l2NormImportance(), { model, layer: 'conv' });
    expect(Array.from(l1)).toEqual([10, 0.5, 4]);
    expect(l2[0]).toBeCloseTo(Math.sqrt(30), 5);
    expect(l2[1]).toBeCloseTo(0.5, 6);
    expect(l2[2]).toBeCloseTo(2, 6);
    model.dispose();
  });
  it('works for Dense units (kernel rows are inputs, columns are units)', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ name: 'd', inputShape: [2], units: 2 }));
    m.add(tfl.layers.dense({ units: 1 }));
    m.layers[0]!.setWeights([tf.tensor2d([[1, -3], [2, 4]]), tf.tensor1d([0, 0])]);
    expect(Array.from(await scoreChannels(l1NormImportance(), { model: m, layer: 'd' }))).toEqual([3, 7]);
    m.dispose();
  });
});

describe('random criterion', () => {
  it('is deterministic for a seed, differs across seeds, lies in [0, 1)', async () => {
    const model = smallSiamese();
    const a = await scoreChannels(randomImportance({ seed: 7 }), { model, layer: 'conv2' });
    const b = await scoreChannels(randomImportance({ seed: 7 }), { model, layer: 'conv2' });
    const c = await scoreChannels(randomImportance({ seed: 8 }), { model, layer: 'conv2' });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(a).size).toBe(6);
    model.dispose();
  });
});

describe('activation criteria with given statistics', () => {
  it('read mean, mean |x| and 1 − APoZ from the statistics', async () => {
    const model = smallSiamese();
    const stats = fakeStats('encoder/conv2', 6, {
      mean: Float64Array.from([0.5, -1, 2, 0, 3, 1]),
      meanAbs: Float64Array.from([1, 2, 3, 4, 5, 6]),
      apoz: Float64Array.from([0.1, 0.9, 0.5, 0, 1, 0.25]),
    });
    expect(Array.from(await scoreChannels(meanActivationImportance(), { model, layer: 'conv2', stats }))).toEqual([0.5, -1, 2, 0, 3, 1]);
    expect(Array.from(await scoreChannels(meanAbsActivationImportance(), { model, layer: 'conv2', stats }))).toEqual([1, 2, 3, 4, 5, 6]);
    const apoz = await scoreChannels(apozImportance(), { model, layer: 'conv2', stats });
    [0.9, 0.1, 0.5, 1, 0, 0.75].forEach((v, c) => expect(apoz[c]).toBeCloseTo(v, 12));
    model.dispose();
  });
});

describe('scoreChannels errors', () => {
  it('names the criterion and what it lacks', async () => {
    const model = smallSiamese();
    await expect(scoreChannels(meanActivationImportance(), { model, layer: 'conv2' })).rejects.toThrow(
      /criterion 'mean-activation' on layer 'encoder\/conv2' needs activation statistics: pass 'stats'.*or 'data'/,
    );
    await expect(scoreChannels(l1NormImportance(), { model, layer: 'nope' })).rejects.toThrow(/no layer 'nope'/);
    await expect(scoreChannels(l1NormImportance(), { model, layer: 'pool2' })).rejects.toThrow(/'encoder\/pool2' \(MaxPooling2D\) has no prunable output channels/);
    const stats = fakeStats('conv1', 4, {});
    await expect(scoreChannels(meanActivationImportance(), { model, layer: 'conv2', stats })).rejects.toThrow(/stats are for 'conv1', not for 'encoder\/conv2'/);
    const needsLabels: ImportanceCriterion = { name: 'mine', requires: ['data', 'labels'], score: () => [] };
    await expect(scoreChannels(needsLabels, { model, layer: 'conv2' })).rejects.toThrow(/criterion 'mine' on layer 'encoder\/conv2' needs 'data'/);
    const left = tf.zeros([2, 12, 12, 1]);
    await expect(scoreChannels(needsLabels, { model, layer: 'conv2', data: { inputs: [left, left] } })).rejects.toThrow(/needs labels/);
    await expect(scoreChannels(needsLabels, { model, layer: 'conv2', data: { inputs: [left] } })).rejects.toThrow(/1 tensor\(s\) but model 'small_siamese' has 2 input/);
    const short: ImportanceCriterion = { name: 'short', requires: [], score: () => [1, 2] };
    await expect(scoreChannels(short, { model, layer: 'conv2' })).rejects.toThrow(/criterion 'short'.* returned 2 scores for 6 channels/);
    const nan: ImportanceCriterion = { name: 'nan', requires: [], score: () => [1, 2, 3, NaN, 5, 6] };
    await expect(scoreChannels(nan, { model, layer: 'conv2' })).rejects.toThrow(/gave channel 3 the score NaN/);
    left.dispose();
    model.dispose();
  });
});

describe('activation criteria computed from data', () => {
  it('mean, mean |x| and APoZ of a 1×1 conv by hand (output_c = w_c·x + b_c)', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ name: 'conv', inputShape: [2, 2, 1], filters: 3, kernelSize: 1 }));
    m.add(tfl.layers.globalAveragePooling2d({}));
    m.add(tfl.layers.dense({ units: 1 }));
    m.layers[0]!.setWeights([tf.tensor4d([1, -1, 0], [1, 1, 1, 3]), tf.tensor1d([0, 0.5, -2])]);
    // Two images: pixels [1, 2, -3, 4] and [0, 0, 1, 1]: mean pixel 0.75, mean |pixel| 1.5.
    const x = tf.tensor4d([1, 2, -3, 4, 0, 0, 1, 1], [2, 2, 2, 1]);
    const data = { inputs: x };
    const mean = await scoreChannels(meanActivationImportance(), { model: m, layer: 'conv', data, batchSize: 1 });
    [0.75, -0.25, -2].forEach((v, c) => expect(mean[c]).toBeCloseTo(v, 6));
    const meanAbs = await scoreChannels(meanAbsActivationImportance(), { model: m, layer: 'conv', data });
    // channel 1: |0.5 - p| over p = 1,2,-3,4,0,0,1,1 → 0.5,1.5,3.5,3.5,0.5,0.5,0.5,0.5 → 11/8
    [1.5, 11 / 8, 2].forEach((v, c) => expect(meanAbs[c]).toBeCloseTo(v, 6));
    const apoz = await scoreChannels(apozImportance(), { model: m, layer: 'conv', data });
    // share of outputs > 0: channel 0: 1,2,4,1,1 → 5/8; channel 1: 0.5-p > 0 for p = -3,0,0 → 3/8; channel 2: none.
    [5 / 8, 3 / 8, 0].forEach((v, c) => expect(apoz[c]).toBeCloseTo(v, 6));
    x.dispose();
    m.dispose();
  });
});

describe('a criterion of your own', () => {
  it('plugs in through the interface and gets the resolved layer', async () => {
    const model = handConv();
    // Importance = |bias|: anything that returns one finite number per channel works.
    const absBias: ImportanceCriterion = {
      name: 'abs-bias',
      requires: [],
      score: (ctx) => Array.from(ctx.group.sources[0]!.layer.getWeights()[1]!.dataSync(), Math.abs),
    };
    expect(Array.from(await scoreChannels(absBias, { model, layer: 'conv' }))).toEqual([100, 100, 7]);
    model.dispose();
  });
});

describe('criterionByName', () => {
  it('builds every listed criterion and rejects unknown names', async () => {
    const { CRITERION_NAMES, criterionByName } = await import('./criterionByName');
    for (const name of CRITERION_NAMES) expect(criterionByName(name).name.startsWith(name)).toBe(true);
    expect(() => criterionByName('entropy' as never)).toThrow(/unknown importance criterion 'entropy'; choose one of mean-activation, /);
  });
});
