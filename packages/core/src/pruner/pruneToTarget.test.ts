import * as tf from '@tensorflow/tfjs-core';
import { ZOO } from '@prune/test-zoo';
import { describe, expect, it } from 'vitest';
import { measureLatency } from '../costs/measureLatency';
import { pruneModel } from './pruneModel';
import { pruneToTarget } from './pruneToTarget';

describe('pruneToTarget', () => {
  it.each([
    ['params', 'uniform'],
    ['macs', 'global'],
  ] as const)('a %s target (%s): the smallest ratio that meets it, counted by the architecture’s own formula', async (kind, strategy) => {
    const entry = ZOO.mobilenetV2;
    const model = entry.build({ seed: 2 });
    const full = entry.cost(entry.widthsOf(model));
    const target = Math.round(full[kind] * 0.6);
    const tensors = tf.memory().numTensors;
    const result = await pruneToTarget(model, { target: kind === 'params' ? { params: target } : { macs: target }, strategy, precision: 1 / 256 });
    const cost = entry.cost(entry.widthsOf(result.model));
    expect(result.achieved).toBe(cost[kind]);
    expect(result.achieved).toBeLessThanOrEqual(target);
    expect(result.kind).toBe(kind);
    expect(result.report.totals[kind === 'params' ? 'params' : 'macs']).toEqual({ before: full[kind], after: cost[kind] });
    // Minimal within the precision: a ratio 1/256 smaller does not meet the target.
    const smaller = await pruneModel(model, { ratio: result.ratio - 1 / 256, strategy });
    expect(smaller.report.totals[kind === 'params' ? 'params' : 'macs'].after).toBeGreaterThan(target);
    // The same ratio through pruneModel (which scores again) gives the same model.
    const again = await pruneModel(model, { ratio: result.ratio, strategy });
    expect(entry.widthsOf(again.model)).toEqual(entry.widthsOf(result.model));
    expect(result.attempts.length).toBeGreaterThan(5);
    for (const m of [smaller.model, again.model, result.model]) m.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });

  it('a target the model already meets prunes nothing; one no ratio reaches is an error saying what is reachable', async () => {
    const entry = ZOO.vgg;
    const model = entry.build({ seed: 1 });
    const params = entry.cost(entry.widthsOf(model)).params;
    const none = await pruneToTarget(model, { target: { params } });
    expect(none.ratio).toBe(0);
    expect(none.achieved).toBe(params);
    none.model.dispose();
    await expect(pruneToTarget(model, { target: { params: 10 } })).rejects.toThrow(/target params ≤ 10 cannot be reached: pruning every group to its minimum gives \d+; ask for a larger target/);
    await expect(pruneToTarget(model, { target: { params: -1 } })).rejects.toThrow(/options.target.params must be a positive number, got -1/);
    await expect(pruneToTarget(model, { target: { latencyMs: 5 } as never })).rejects.toThrow(/a latency target needs options.target.inputs/);
    model.dispose();
  });

  it('a latency target: medians measured on the backend, the returned model meets it as measured', async () => {
    const entry = ZOO.vgg;
    const model = entry.build({ seed: 1 });
    const [x] = entry.randomInputs(32, 3);
    const tries: number[] = [];
    const generous = await pruneToTarget(model, { target: { latencyMs: 1e6, inputs: x!, latency: { runs: 3, warmup: 1 } }, onTry: (a) => tries.push(a.ratio) });
    expect(generous.ratio).toBe(0);
    expect(tries).toEqual([0]);
    generous.model.dispose();
    const baseline = (await measureLatency(model, x!, { runs: 9, warmup: 3 })).medianMs;
    const target = baseline * 0.6;
    const latency = { runs: 5, warmup: 2 };
    const result = await pruneToTarget(model, { target: { latencyMs: target, inputs: x!, latency }, precision: 1 / 16 });
    expect(result.attempts[0]!.ratio).toBe(0);
    expect(result.achieved).toBeLessThanOrEqual(target);
    if (result.attempts[0]!.value > target) {
      expect(result.ratio).toBeGreaterThan(0);
      expect(result.report.totals.macs.after).toBeLessThan(result.report.totals.macs.before);
    }
    result.model.dispose();
    x!.dispose();
    model.dispose();
  });
});
