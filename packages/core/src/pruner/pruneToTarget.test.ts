import * as tf from '@tensorflow/tfjs-core';
import { ZOO } from '@prune/test-zoo';
import { describe, expect, it } from 'vitest';
import { countMacs } from '../costs/countMacs';
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

  it('a latency target: the real timer runs on the backend; the search meets a target by the timer it is given', async () => {
    const entry = ZOO.vgg;
    const model = entry.build({ seed: 1 });
    const [x] = entry.randomInputs(8, 3);
    // The real timer: a target every model meets is met at ratio 0, by a positive median measured on the backend.
    const tries: number[] = [];
    const generous = await pruneToTarget(model, { target: { latencyMs: 1e6, inputs: x!, latency: { runs: 3, warmup: 1 } }, onTry: (a) => tries.push(a.ratio) });
    expect(generous.ratio).toBe(0);
    expect(tries).toEqual([0]);
    expect(generous.achieved).toBeGreaterThan(0);
    generous.model.dispose();
    // A deterministic timer (1 ms per 10^6 MACs per example), so that what is checked is the search, not the machine's load.
    const timed: number[] = [];
    const measure = async (m: typeof model) => {
      const ms = countMacs(m).macs / 1e6;
      timed.push(ms);
      return ms;
    };
    const full = countMacs(model).macs / 1e6;
    const target = full * 0.6;
    const result = await pruneToTarget(model, { target: { latencyMs: target, inputs: x!, measure }, precision: 1 / 64 });
    expect(result.attempts.map((a) => a.value)).toEqual(timed);
    expect(result.attempts[0]).toEqual({ ratio: 0, value: full });
    expect(result.achieved).toBe(countMacs(result.model).macs / 1e6);
    expect(result.achieved).toBeLessThanOrEqual(target);
    const smaller = await pruneModel(model, { ratio: result.ratio - 1 / 64 });
    expect(countMacs(smaller.model).macs / 1e6).toBeGreaterThan(target);
    for (const m of [smaller.model, result.model]) m.dispose();
    x!.dispose();
    model.dispose();
  });
});
