import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ZOO } from '@prune/test-zoo';
import { describe, expect, it } from 'vitest';
import { l1NormImportance } from '../criteria/filterNormCriteria';
import { scoreChannels } from '../criteria/importance';
import { rankChannels } from '../criteria/rankChannels';
import { smallSiamese, randomInputs, randomLabels } from '../test-utils/testModels';
import { planPruning } from './planPruning';
import { pruneModel } from './pruneModel';

function filters(model: LayersModel, path: string): number {
  const [outer, inner] = path.includes('/') ? path.split('/') : [undefined, path];
  const container = outer === undefined ? model : (model.getLayer(outer) as unknown as LayersModel);
  const config = container.getLayer(inner!).getConfig() as { filters?: number; units?: number };
  return config.filters ?? config.units!;
}

describe('planPruning (the dry run)', () => {
  it('plans the weakest channels of every group by the criterion, leaves the model untouched, lists refused sources', async () => {
    const model = smallSiamese({ seed: 4 });
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const plan = await planPruning(model, { ratio: 0.5 });
    expect(plan.groups.map((g) => [g.group, g.channels, g.pruned.length])).toEqual([
      ['encoder/conv1', 4, 2],
      ['encoder/conv2', 6, 3],
      ['encoder/dense1', 16, 8],
      ['encoder/embedding', 8, 4],
      ['head_dense', 8, 4],
    ]);
    // Each group's pruned channels are its weakest by L1, computed independently here.
    for (const g of plan.groups) {
      const order = rankChannels(await scoreChannels(l1NormImportance(), { model, layer: g.group }));
      expect(g.pruned).toEqual(Array.from(order.subarray(0, g.pruned.length)).sort((a, b) => a - b));
    }
    expect(plan.refused.map((r) => r.layer)).toEqual(['head_out']);
    expect(plan.masks).toHaveLength(5);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
  });
});

describe('pruneModel', () => {
  it('prunes by per-layer ratios with layers left alone, rounding and a minimum, in one call', async () => {
    const model = smallSiamese({ seed: 5 });
    const { model: pruned, steps } = await pruneModel(model, {
      ratio: 0.3,
      ratios: { conv2: 0.5 }, // a key may name a layer by its short name
      exclude: ['conv1'],
      roundTo: 4,
    });
    // conv1 left alone; conv2: 50% of 6 keeps 3, rounded up to 4; dense1: floor(0.3·16) = 4 go, 12 kept (a
    // multiple of 4); embedding and head_dense: floor(0.3·8) = 2 would keep 6, rounded up to 8: none go.
    expect(['encoder/conv1', 'encoder/conv2', 'encoder/dense1', 'encoder/embedding', 'head_dense'].map((p) => filters(pruned, p))).toEqual([4, 4, 12, 8, 8]);
    expect(steps[0]!.plan.excluded).toEqual(['encoder/conv1']);
    pruned.dispose();
    // minChannels: 90% of 4 conv1 channels would leave 1; at least 3 stay.
    const { model: kept } = await pruneModel(model, { ratio: 0.9, minChannels: 3 });
    expect(filters(kept, 'encoder/conv1')).toBe(3);
    expect(filters(kept, 'encoder/dense1')).toBe(3);
    kept.dispose();
    model.dispose();
  });

  it('prunes in steps, calls the fine-tune after each with the step’s model, and reports per group', async () => {
    const model = smallSiamese({ seed: 6 });
    const seen: Array<{ step: number; conv2: number }> = [];
    const result = await pruneModel(model, {
      ratio: 0.5,
      steps: 2,
      fineTune: (m, info) => {
        seen.push({ step: info.step, conv2: filters(m, 'encoder/conv2') });
      },
    });
    // 50% in two steps: 25% of 16 dense1 units (4) then 50% (8 in all).
    expect(seen).toEqual([
      { step: 1, conv2: 5 },
      { step: 2, conv2: 3 },
    ]);
    expect(result.steps.map((s) => s.plan.groups.find((g) => g.group === 'encoder/dense1')!.pruned.length)).toEqual([4, 4]);
    const dense1 = result.report.groups.find((g) => g.group === 'encoder/dense1')!;
    expect(dense1.channels).toEqual({ before: 16, after: 8 });
    // dense1's group touches dense1 (3·3·6 = 54 inputs → 16 units, with bias) and embedding (16 → 8, with bias). After
    // the prune, conv2 keeps 3 of 6 channels (dense1 reads 3·3·3 = 27 inputs), dense1 8 units, embedding 4.
    expect(dense1.params).toEqual({ before: 54 * 16 + 16 + 16 * 8 + 8, after: 27 * 8 + 8 + 8 * 4 + 4 });
    expect(result.report.totals.params.after).toBe(result.model.countParams());
    result.model.dispose();
    model.dispose();
  });

  it('scores with an activation criterion from one pass over the data', async () => {
    const model = smallSiamese({ seed: 7 });
    const left = randomInputs(20, [12, 12, 1], 1);
    const right = randomInputs(20, [12, 12, 1], 2);
    const data = { inputs: [left, right], labels: randomLabels(20, 3) };
    const plan = await planPruning(model, { ratio: 0.25, criterion: 'mean-activation', data });
    const conv2 = plan.groups.find((g) => g.group === 'encoder/conv2')!;
    const { meanActivationImportance } = await import('../criteria/activationCriteria');
    expect(Array.from(conv2.scores)).toEqual(Array.from(await scoreChannels(meanActivationImportance(), { model, layer: 'conv2', data })));
    tf.dispose([left, right]);
    model.dispose();
  });

  it('checks every option before any work, naming it', async () => {
    const model = smallSiamese();
    await expect(pruneModel(model, {})).rejects.toThrow(/give options.ratio .* or options.ratios/);
    await expect(pruneModel(model, { ratio: 1 })).rejects.toThrow(/options.ratio must be a number in \[0, 1\).*got 1/);
    await expect(pruneModel(model, { ratio: 0.3, strategy: 'best' as never })).rejects.toThrow(/options.strategy must be 'uniform' or 'global', got "best"/);
    await expect(pruneModel(model, { ratio: 0.3, roundTo: 0 })).rejects.toThrow(/options.roundTo must be a positive integer, got 0/);
    await expect(pruneModel(model, { ratio: 0.3, steps: 1.5 })).rejects.toThrow(/options.steps must be a positive integer, got 1.5/);
    await expect(pruneModel(model, { ratio: 0.3, criterion: 'entropy' as never })).rejects.toThrow(/options.criterion 'entropy' is not a built-in criterion/);
    await expect(pruneModel(model, { ratio: 0.3, criterion: 'taylor' })).rejects.toThrow(/criterion 'taylor' needs options.data/);
    await expect(pruneModel(model, { ratio: 0.3, exclude: ['nope'] })).rejects.toThrow(/pruneModel: options.exclude names 'nope': no layer 'nope'/);
    await expect(pruneModel(model, { ratio: 0.3, exclude: ['conv22'] })).rejects.toThrow(/did you mean 'encoder\/conv2'/);
    await expect(pruneModel(model, { ratios: { head_out: 0.5 } })).rejects.toThrow(/options.ratios names 'head_out', whose channels cannot be pruned: .*output 0 of model/);
    const { pruneChannels } = await import('../surgery/pruneChannels');
    const { plainCnn } = await import('../test-utils/testModels');
    const classifier = plainCnn();
    await expect(pruneChannels(classifier, { layer: 'out', pruned: [0] })).rejects.toThrow(
      /'out': its activation 'softmax' mixes channels \(it is the model's output layer; prune an earlier layer\)/,
    );
    classifier.dispose();
    await expect(pruneModel(model, { ratios: { relu2: 0.5 } })).rejects.toThrow(/'relu2' \(Activation\), which is not a source of any pruning group/);
    model.dispose();
  });

  it('leaves nothing behind: a zoo model pruned globally in two steps frees every intermediate model', async () => {
    const model = ZOO.resnet.build({ seed: 2 });
    const before = tf.memory().numTensors;
    const { model: pruned } = await pruneModel(model, { ratio: 0.3, strategy: 'global', steps: 2 });
    pruned.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
