import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { createSiameseModel } from './createSiameseModel';
import { evaluateSiamese } from './predictPairs';
import { seedDropoutLayers } from './seededDropout';
import { seedStream } from './seeds';
import { abortAtBatch } from './test-utils/abortAtBatch';
import { syntheticPairs } from './test-utils/syntheticSplit';
import { trainSiamese, type BatchProgress, type EpochProgress } from './trainSiamese';

const train = syntheticPairs(300, 320, 7);
const test = syntheticPairs(100, 200, 8);

function weightsOf(model: ReturnType<typeof createSiameseModel>): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('trainSiamese', () => {
  it('learns, reports progress per batch and per epoch, and leaks no tensor across epochs', async () => {
    const model = createSiameseModel({ seed: 3 });
    const before = await evaluateSiamese(model, test);
    const batches: BatchProgress[] = [];
    const epochs: EpochProgress[] = [];
    const tensorsAfterEpoch: number[] = [];
    const start = tf.memory().numTensors;
    const history = await trainSiamese(model, train, {
      epochs: 3,
      batchSize: 50,
      seed: 1,
      onBatch: (p) => void batches.push(p),
      onEpoch: (p) => {
        epochs.push(p);
        tensorsAfterEpoch.push(tf.memory().numTensors);
      },
    });
    expect(tf.memory().numTensors).toBe(start);
    // Adam's state exists from the first step on; after that nothing may grow.
    expect(tensorsAfterEpoch[1]).toBe(tensorsAfterEpoch[0]);
    expect(tensorsAfterEpoch[2]).toBe(tensorsAfterEpoch[0]);

    expect(batches.map((b) => `${b.epoch}.${b.batch}/${b.batches}`)).toEqual(
      [1, 2, 3].flatMap((e) => [1, 2, 3, 4, 5, 6, 7].map((b) => `${e}.${b}/7`)),
    );
    expect(batches.slice(0, 7).map((b) => b.size)).toEqual([50, 50, 50, 50, 50, 50, 20]);
    for (const b of batches) {
      expect(b.pairsPerSecond).toBeGreaterThan(0);
      expect(b.accuracy * b.size).toBeCloseTo(Math.round(b.accuracy * b.size), 9);
    }
    expect(history.epochs).toEqual(epochs);
    for (const e of epochs) {
      const own = batches.filter((b) => b.epoch === e.epoch);
      const loss = own.reduce((s, b) => s + b.loss * b.size, 0) / train.count;
      const accuracy = own.reduce((s, b) => s + b.accuracy * b.size, 0) / train.count;
      expect(e.loss).toBeCloseTo(loss, 6);
      expect(e.accuracy).toBeCloseTo(accuracy, 9);
      expect(e.epochs).toBe(3);
    }
    expect((epochs[2] as EpochProgress).loss).toBeLessThan((epochs[0] as EpochProgress).loss);
    const after = await evaluateSiamese(model, test);
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('is deterministic for a seed (shuffle and dropout), and another seed trains differently', async () => {
    const run = async (seed: number) => {
      const model = createSiameseModel({ seed: 5 });
      const history = await trainSiamese(model, train, { epochs: 1, batchSize: 64, seed });
      const weights = weightsOf(model);
      model.dispose();
      return { weights, loss: history.epochs[0]?.loss };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b.loss).toBe(a.loss);
    expect(b.weights).toEqual(a.weights);
    expect(c.loss).not.toBe(a.loss);
  });

  it('trains with its default optimiser exactly as with train.adam(lr, 0.9, 0.999, 1e-8), bit for bit', async () => {
    const run = async (optimizer?: tf.Optimizer) => {
      const model = createSiameseModel({ seed: 5 });
      const history = await trainSiamese(model, train, { epochs: 1, batchSize: 16, seed: 3, learningRate: 2e-3, optimizer });
      const bits = model.getWeights().map((w) => Array.from(new Uint32Array(Float32Array.from(w.dataSync()).buffer)));
      model.dispose();
      optimizer?.dispose();
      return { bits, loss: history.epochs[0]?.loss };
    };
    const fused = await run();
    const tfjs = await run(tf.train.adam(2e-3, 0.9, 0.999, 1e-8)); // 320 pairs in batches of 16: 20 steps
    expect(fused.loss).toBe(tfjs.loss);
    expect(fused.bits).toEqual(tfjs.bits);
  });

  it('applies dropout in training only, with seeded masks', async () => {
    const batchLosses = async (dropout: number, seed: number) => {
      const model = createSiameseModel({ seed: 9, dropout });
      // A steeper head spreads p away from 0.5, so that dropout moves the loss well above float noise.
      const head = model.getLayer('head_out');
      head.setWeights(tf.tidy(() => head.getWeights().map((w) => tf.mul(w, 50))));
      const losses: number[] = [];
      // learningRate 0 leaves the weights as they are, so every difference comes from the training-mode forward pass.
      await trainSiamese(model, train, { epochs: 1, batchSize: 160, learningRate: 0, shuffle: false, seed, onBatch: (p) => void losses.push(p.loss) });
      const half = (from: number, to: number) => ({ ...train, left: train.left.subarray(from, to), right: train.right.subarray(from, to), labels: train.labels.subarray(from, to), count: to - from });
      const evalLosses = [(await evaluateSiamese(model, half(0, 160))).loss, (await evaluateSiamese(model, half(160, 320))).loss];
      model.dispose();
      return { losses, evalLosses };
    };
    const noDropout = await batchLosses(0, 1);
    expect(noDropout.losses[0]).toBeCloseTo(noDropout.evalLosses[0] as number, 4);
    expect(noDropout.losses[1]).toBeCloseTo(noDropout.evalLosses[1] as number, 4);
    const a = await batchLosses(0.2, 1);
    const b = await batchLosses(0.2, 1);
    const c = await batchLosses(0.2, 2);
    expect(a.evalLosses).toEqual(noDropout.evalLosses);
    expect(Math.abs((a.losses[0] as number) - (a.evalLosses[0] as number))).toBeGreaterThan(1e-2);
    expect(b.losses).toEqual(a.losses);
    expect(Math.abs((c.losses[0] as number) - (a.losses[0] as number))).toBeGreaterThan(1e-3);
  });

  it('draws a fresh seeded mask at every dropout call, and restores the layer', () => {
    const model = createSiameseModel({ seed: 9 });
    const encoder = model.getLayer('encoder') as unknown as LayersModel;
    const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 3);
    const run = (seed: number) => {
      const restore = seedDropoutLayers(model, seedStream(seed));
      try {
        return [0, 1].map(() => tf.tidy(() => Array.from((encoder.apply(x, { training: true }) as tf.Tensor).dataSync())));
      } finally {
        restore();
      }
    };
    const [first, second] = run(1);
    expect(second).not.toEqual(first); // the left and right branches of one step get different masks
    expect(run(1)).toEqual([first, second]);
    expect(run(2)[0]).not.toEqual(first);
    const inference = tf.tidy(() => Array.from((encoder.apply(x) as tf.Tensor).dataSync()));
    expect(first).not.toEqual(inference);
    expect(Object.getOwnPropertyDescriptor(encoder.getLayer('dropout'), 'seed')?.value).toBeUndefined();
    x.dispose();
    model.dispose();
  });

  it('stops when its signal aborts, leaking nothing and restoring the dropout layer', async () => {
    const model = createSiameseModel({ seed: 2 });
    const dropout = (model.getLayer('encoder') as unknown as { getLayer(n: string): object }).getLayer('dropout');
    const ownSeed = Object.getOwnPropertyDescriptor(dropout, 'seed');
    const start = tf.memory().numTensors;
    const abort = abortAtBatch(3, 'stop here');
    const training = trainSiamese(model, train, { epochs: 5, batchSize: 32, signal: abort.signal, onBatch: abort.onBatch });
    await expect(training).rejects.toThrow('stop here');
    expect(abort.seen()).toBe(3);
    expect(tf.memory().numTensors).toBe(start);
    expect(Object.getOwnPropertyDescriptor(dropout, 'seed')).toEqual(ownSeed);
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    await expect(trainSiamese(model, train, { signal: aborted.signal })).rejects.toThrow('already');
    model.dispose();
  });

  it('rejects bad options by name', async () => {
    const model = createSiameseModel();
    await expect(trainSiamese(model, train, { batchSize: 0 })).rejects.toThrow(/options\.batchSize/);
    await expect(trainSiamese(model, train, { epochs: 1.5 })).rejects.toThrow(/options\.epochs/);
    await expect(trainSiamese(model, train, { learningRate: -1 })).rejects.toThrow(/options\.learningRate/);
    await expect(trainSiamese(model, { ...train, count: 0 }, {})).rejects.toThrow(/pairs\.count/);
    model.dispose();
  });
});
