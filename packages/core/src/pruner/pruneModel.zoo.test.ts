import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ZOO, ZOO_NAMES, type ZooName } from '@prune/test-zoo';
import { describe, expect, it } from 'vitest';
import { countMacs } from '../costs/countMacs';
import { countParams } from '../costs/countParams';
import { naiveSweep } from '../evaluation/naiveSweep';
import { sweepChannels } from '../evaluation/sweepChannels';
import { applyChannelMask } from '../masks/applyChannelMask';
import { cloneModel } from '../surgery/cloneModel';
import { pruneModel } from './pruneModel';

function predict(model: tfl.LayersModel, inputs: tf.Tensor[]): Float32Array {
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor;
  const values = Float32Array.from(out.dataSync());
  out.dispose();
  return values;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}


/** Labels that make the argmax / 0.5 decisions of the unpruned model half right, so metrics can move both ways. */
function labelsFor(name: ZooName, n: number): Float32Array {
  const units = ZOO[name].outputUnits();
  return Float32Array.from({ length: n }, (_, i) => (units === 1 ? i % 2 : i % units));
}

describe.each(ZOO_NAMES)('pruneModel on the zoo: %s', (name) => {
  const entry = ZOO[name];

  it.each(['uniform', 'global'] as const)('%s 30%%: pruned = masked, counts by hand, save/load, fast sweep = naive', async (strategy) => {
    const model = entry.build({ seed: 3 });
    const inputs = entry.randomInputs(6, 11);
    const before = tf.memory().numTensors;
    const { model: pruned, steps, report } = await pruneModel(model, { ratio: 0.3, strategy });
    const plan = steps[0]!.plan;
    expect(plan.masks.length).toBeGreaterThan(0);
    const removed = plan.groups.reduce((sum, g) => sum + g.pruned.length, 0);
    const total = plan.groups.reduce((sum, g) => sum + g.channels, 0);
    if (strategy === 'uniform') for (const g of plan.groups) expect(g.pruned.length).toBe(Math.min(g.channels - 1, Math.floor(0.3 * g.channels + 1e-9)));
    else expect(removed).toBe(Math.floor(0.3 * total + 1e-9));

    // The masked model (every removed entry zeroed) computes what the pruned one does.
    const masked = await applyChannelMask(model, plan.masks);
    const full = predict(model, inputs);
    const p = predict(pruned, inputs);
    expect(maxAbsDiff(p, predict(masked, inputs))).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(p, full)).toBeGreaterThan(1e-6); // the prune changed something

    // Params and MACs as counted by the architecture's own formula at the pruned widths.
    const expected = entry.cost(entry.widthsOf(pruned));
    expect(countParams(pruned).total).toBe(expected.params);
    expect(countMacs(pruned).macs).toBe(expected.macs);
    expect(pruned.countParams()).toBe(expected.params);
    expect(report.totals.params).toEqual({ before: entry.cost(entry.widthsOf(model)).params, after: expected.params });
    expect(report.totals.macs.after).toBe(expected.macs);

    // Saved and loaded, it predicts the same.
    const loaded = await cloneModel(pruned); // through save and load, as a user would round-trip it through files
    expect(maxAbsDiff(predict(loaded, inputs), p)).toBe(0);

    // For the largest group, the fast sweep gives what masked copies of the whole model give.
    const largest = plan.groups.reduce((a, b) => (b.channels > a.channels ? b : a));
    const order = Array.from({ length: largest.channels }, (_, c) => (c * 7 + 3) % largest.channels);
    const ks = [1, Math.floor(largest.channels / 2), largest.channels - 1];
    const data = { inputs, labels: labelsFor(name, 6) };
    const fast = await sweepChannels(model, largest.group, order, data, { ks, keepPredictions: true });
    const naive = await naiveSweep(model, largest.group, order, data, { ks, keepPredictions: true });
    fast.predictions!.forEach((values, i) => expect(maxAbsDiff(values, naive.predictions![i]!)).toBeLessThanOrEqual(1e-5));

    masked.dispose();
    loaded.dispose();
    pruned.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs);
    model.dispose();
  });
});
