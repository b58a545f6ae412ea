import * as tf from '@tensorflow/tfjs-core';
import { input, layers, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it } from 'vitest';
import { createSiameseModel } from '../createSiameseModel';
import { evaluateSiamese } from '../predictPairs';
import { abortAtBatch } from '../test-utils/abortAtBatch';
import { syntheticPairs } from '../test-utils/syntheticSplit';
import { trainSiamese, type BatchProgress } from '../trainSiamese';
import { trainSiameseParallel } from './trainSiameseParallel';

const train = syntheticPairs(300, 320, 7);
const test = syntheticPairs(100, 200, 8);

function weightsOf(model: ReturnType<typeof createSiameseModel>): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

afterEach(async () => {
  await tf.setBackend('wasm');
});

describe('trainSiameseParallel', () => {
  it('takes the steps of full-batch training to float rounding, without dropout', async () => {
    // Without dropout the replicas' summed gradients are the full batch's; only the order of float sums differs.
    // Over 10 steps the weights stay within 1e-2 of how far training moved them (measured: 5e-3, in conv2's kernel,
    // where Adam scales up the rounding of tiny gradients); a replica a step behind (a late update) or a lost shard
    // would be off by about the learning rate, 1e-3, ten times the bound.
    const pairs = syntheticPairs(300, 640, 7);
    const run = async (threads: number) => {
      const model = createSiameseModel({ seed: 4, dropout: 0 });
      const initial = weightsOf(model).map((w) => w.slice());
      const options = { epochs: 1, batchSize: 64, seed: 2 };
      const history = threads === 0 ? await trainSiamese(model, pairs, options) : await trainSiameseParallel(model, pairs, { ...options, threads });
      const weights = weightsOf(model);
      model.dispose();
      return { weights, initial, history };
    };
    const reference = await run(0);
    const largest = (f: (i: number, j: number) => number) => reference.weights.reduce((m, w, i) => w.reduce((mm, _, j) => Math.max(mm, f(i, j)), m), 0);
    const moved = largest((i, j) => Math.abs(reference.weights[i]![j]! - reference.initial[i]![j]!));
    expect(moved).toBeGreaterThan(5e-3); // 10 Adam steps of 1e-3
    for (const threads of [2, 3]) {
      const { weights, history } = await run(threads); // 3 replicas: shards of 21, 21, 22
      expect(history.replicas).toBe(threads);
      expect(history.epochs[0]!.loss).toBeCloseTo(reference.history.epochs[0]!.loss, 5);
      expect(largest((i, j) => Math.abs(weights[i]![j]! - reference.weights[i]![j]!))).toBeLessThan(1e-2 * moved);
    }
  });

  it('learns, reports every batch, gives the same model for a seed and thread count, and leaks nothing', async () => {
    const run = async (seed: number) => {
      const model = createSiameseModel({ seed: 3 });
      const batches: BatchProgress[] = [];
      const start = tf.memory().numTensors;
      const history = await trainSiameseParallel(model, train, { epochs: 3, batchSize: 50, seed, threads: 2, onBatch: (b) => void batches.push(b) });
      expect(tf.memory().numTensors).toBe(start);
      const evaluation = await evaluateSiamese(model, test);
      const weights = weightsOf(model);
      model.dispose();
      return { history, batches, evaluation, weights };
    };
    const a = await run(1);
    const b = await run(1);
    const c = await run(5);
    expect(a.batches.map((x) => `${x.epoch}.${x.batch}/${x.batches}:${x.size}`).slice(0, 7)).toEqual(['1.1/7:50', '1.2/7:50', '1.3/7:50', '1.4/7:50', '1.5/7:50', '1.6/7:50', '1.7/7:20']);
    expect(a.batches).toHaveLength(21);
    expect(a.history.epochs[2]!.loss).toBeLessThan(a.history.epochs[0]!.loss);
    expect(a.evaluation.accuracy).toBeGreaterThan(0.9);
    expect(b.weights).toEqual(a.weights);
    expect(b.history.epochs.map((e) => e.loss)).toEqual(a.history.epochs.map((e) => e.loss));
    expect(c.weights).not.toEqual(a.weights);
  });

  it('is trainSiamese itself for one thread and off wasm', async () => {
    const run = async (f: (m: ReturnType<typeof createSiameseModel>) => Promise<unknown>) => {
      const model = createSiameseModel({ seed: 6 });
      const history = (await f(model)) as { replicas: number };
      const weights = weightsOf(model);
      model.dispose();
      return { weights, replicas: history.replicas };
    };
    const options = { epochs: 1, batchSize: 80, seed: 4 };
    const reference = await run((m) => trainSiamese(m, train, options));
    const one = await run((m) => trainSiameseParallel(m, train, { ...options, threads: 1 }));
    expect(one).toEqual(reference);
    await tf.setBackend('cpu');
    const few = syntheticPairs(20, 8, 3); // the cpu backend takes seconds per pair
    const onCpu = await run((m) => trainSiameseParallel(m, few, { ...options, threads: 2 }));
    const cpuReference = await run((m) => trainSiamese(m, few, options));
    expect(onCpu).toEqual(cpuReference);
  });

  it('stops when aborted, with the reason, and keeps what was trained', async () => {
    const model = createSiameseModel({ seed: 2 });
    const initial = weightsOf(model).map((w) => w.slice());
    const abort = abortAtBatch(3, 'stop here');
    const training = trainSiameseParallel(model, train, { epochs: 5, batchSize: 32, threads: 2, signal: abort.signal, onBatch: abort.onBatch });
    await expect(training).rejects.toThrow('stop here');
    expect(abort.seen()).toBe(3);
    expect(weightsOf(model)).not.toEqual(initial);
    model.dispose();
  });

  it('names bad thread counts and a model the replicas cannot rebuild', async () => {
    const model = createSiameseModel();
    await expect(trainSiameseParallel(model, train, { threads: 0 })).rejects.toThrow(/options\.threads must be a positive integer, got 0/);
    await expect(trainSiameseParallel(model, train, { threads: 1.5 })).rejects.toThrow(/options\.threads/);
    model.dispose();
    // A layer class registered on this thread only: the replicas cannot rebuild the model.
    class Doubling extends layers.Layer {
      static className = 'TestDoubling';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(x) ? x[0]! : x, 2);
      }
    }
    tf.serialization.registerClass(Doubling);
    const left = input({ shape: [28, 28, 1] });
    const right = input({ shape: [28, 28, 1] });
    const joined = layers.flatten().apply(layers.concatenate().apply([left, right])) as SymbolicTensor;
    const out = layers.dense({ units: 1, activation: 'sigmoid' }).apply(new Doubling({}).apply(joined)) as SymbolicTensor;
    const custom = tfModel({ inputs: [left, right], outputs: out });
    await expect(trainSiameseParallel(custom, train, { threads: 2, epochs: 1 })).rejects.toThrow(/training replica \d failed: .*TestDoubling.*train with threads: 1/s);
    custom.dispose();
  });
});
